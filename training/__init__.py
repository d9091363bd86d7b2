"""glassdesk intent-model training pipeline (see training/README.md)."""
