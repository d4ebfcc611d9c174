"""The printable report (`skinlens report --pdf` and the app's PDF export): one builder, free of Qt."""
