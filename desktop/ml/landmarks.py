"""Named points of MediaPipe's 478-point face mesh, in one place for every module that reads landmarks.

Indices follow MediaPipe's canonical face model (mesh_map.jpg; 468 points plus 10 iris points with
refinement). "Right" is the subject's right, which is the left of an unmirrored photo. Single points are the
anchors the app measures from: the most stable points of the mesh (eye corners, brows, nostril wings, mouth
corners, face-oval top and sides, chin). Contours (tuples) outline a feature for drawing or masking it.
"""

from __future__ import annotations

# Midline, top to bottom
FOREHEAD_TOP = 10  # top of the face oval
NOSE_BRIDGE = 168
NOSE_TIP = 1
LIP_BOTTOM = 17
CHIN = 152

# Paired anchors: (subject's right, subject's left)
OVAL_TOP_RIGHT, OVAL_TOP_LEFT = 67, 297
BROW_RIGHT, BROW_LEFT = 105, 334
BROW_INNER_RIGHT, BROW_INNER_LEFT = 107, 336
EYE_OUTER_RIGHT, EYE_INNER_RIGHT = 33, 133
EYE_INNER_LEFT, EYE_OUTER_LEFT = 362, 263
EYE_LOWER_RIGHT, EYE_LOWER_LEFT = 145, 374
NOSTRIL_RIGHT, NOSTRIL_LEFT = 98, 327
MOUTH_RIGHT, MOUTH_LEFT = 61, 291
FACE_EDGE_RIGHT, FACE_EDGE_LEFT = 234, 454  # the widest points of the face oval, at the cheekbones
IRIS_RIGHT, IRIS_LEFT = 468, 473  # iris centres (present with refined landmarks only)

# Contours
RIGHT_EYE_CONTOUR = (7, 33, 133, 144, 145, 153, 154, 155, 157, 158, 159, 160, 161, 163, 173, 246)
LEFT_EYE_CONTOUR = (249, 263, 362, 373, 374, 380, 381, 382, 384, 385, 386, 387, 388, 390, 398, 466)
RIGHT_BROW_CONTOUR = (46, 52, 53, 55, 63, 65, 66, 70, 105, 107)
LEFT_BROW_CONTOUR = (276, 282, 283, 285, 293, 295, 296, 300, 334, 336)
LIPS_CONTOUR = (0, 13, 14, 17, 37, 39, 40, 61, 78, 80, 81, 82, 84, 87, 88, 91, 95, 146, 178, 181, 185, 191, 267,
                269, 270, 291, 308, 310, 311, 312, 314, 317, 318, 321, 324, 375, 402, 405, 409, 415)
FACE_OVAL_CONTOUR = (10, 21, 54, 58, 67, 93, 103, 109, 127, 132, 136, 148, 149, 150, 152, 162, 172, 176, 234,
                     251, 284, 288, 297, 323, 332, 338, 356, 361, 365, 377, 378, 379, 389, 397, 400, 454)
