"""Report: the document model, canonical bytes, signing, verification and renderers."""
