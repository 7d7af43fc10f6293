"""SQL files of this stage, one step per file."""
