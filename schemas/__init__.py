"""Record models, allowed values and export schemas of the directory."""
