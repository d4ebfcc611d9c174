"""Training the concern CNN: the synthetic generator, the training loops, evaluation, export and the stability
checks. Not part of the app: nothing in `desktop` imports this package (an import-linter contract checks it)
and the PyInstaller bundle excludes it. It imports the app's `desktop.ml` for what a trained model must share
with the app: the network, its config and preprocessing, face finding and alignment.
"""
