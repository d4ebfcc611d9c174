"""SkinLens desktop app: capture, analysis, recommendations and catalog sync, all on this machine."""

import os

__version__ = "0.1.0"

# ONNX Runtime (1.29 and later) sends usage telemetry to Microsoft from Linux and macOS too, keeps a device id
# and an event cache in the user's cache folder, and looks up its collector's name while a model loads. The
# analysis must open no socket and leave nothing behind, so it is switched off here, before any part of the app
# can import onnxruntime (the switch is read once, when the runtime starts). Forced, not a default: the
# privacy promise is not a setting.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
