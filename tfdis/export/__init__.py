"""Export and serving of tfdis models: SavedModel + TFLite (`export_lib`), TF-Serving REST (`serve_lib`)."""
