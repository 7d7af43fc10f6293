"""Scale and speed measurements (not tests): synthetic mirrors of the sources, and the scale benchmark."""
