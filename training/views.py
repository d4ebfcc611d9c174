"""The crops the app hands the CNN, made from one frontal base photo: a frontal face, a side view (three-quarter
to profile) and a close-up of the skin.

- Front: the eye-aligned crop the app makes, with the small similarity jitter of landmark placement.
- Side: the face turned about a vertical axis inside the head, using the depth of the 478 mesh points: every
  mesh triangle that still faces the camera is moved where it would be seen (orthographic projection, nearest
  triangle wins), the surroundings follow the face's outline smoothly, and the crop is the app's side-view
  crop of the near cheek. Hidden skin is simply not in the crop.
- Close-up: a window of 1.2–5 px per mm on the cheeks, forehead, nose or chin, from the base at its own
  resolution, turned by up to ±35° (phones are held any way).

Every function returns the geometry (maps, matrices, masks) so that the concern masks follow the pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from desktop.ml import landmarks as mesh
from training.bases import BASE_SIZE, Base

OUT = 192  # the CNN's input size
MM_PER_IOD = 63.0  # adult mean inter-pupillary distance
BASE_PX_PER_MM = 128.0 * BASE_SIZE / 384 / MM_PER_IOD  # the base crop's eyes are 1.5 × 128 px apart
SIDE_SIZE = 2 * OUT  # side views are turned at twice the input size, then framed and resized
MESH_POINTS = 468  # the mesh proper (the 10 iris points are not part of the surface)
SIDE_FACE_HEIGHT = 2.5 * 64 / OUT  # forehead top to chin, as a share of the crop (2.5 × the front crop's eyes)


@dataclass
class Frame:
    """A frame of the base to draw concerns in: pixels, landmarks in its coordinates and its scale."""

    image: np.ndarray  # size × size × 3 uint8
    landmarks: np.ndarray  # 478 × 3 (x, y in frame pixels; z scaled alike)
    px_per_mm: float
    kind: str  # "front", "side" (drawn as a front frame, turned afterwards) or "closeup"


def _warp(base: Base, matrix: np.ndarray, size: int) -> Frame:
    scale = float(np.hypot(*matrix[0, :2]))
    flags = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    image = cv2.warpAffine(base.image, matrix, (size, size), flags=flags, borderMode=cv2.BORDER_REFLECT)
    points = base.landmarks.copy()
    points[:, :2] = base.landmarks[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    points[:, 2] *= scale
    return Frame(image, points, BASE_PX_PER_MM * scale, "front")


def front_frame(base: Base, rng: np.random.Generator, size: int = OUT) -> Frame:
    """The aligned face at `size` px, rotated ±8°, scaled ±8 % and shifted ±3 % (landmarks land a little
    differently on every photo)."""
    angle, scale = rng.uniform(-8, 8), rng.uniform(0.92, 1.08) * size / BASE_SIZE
    matrix = cv2.getRotationMatrix2D((BASE_SIZE / 2, BASE_SIZE / 2), angle, scale)  # the centre stays put
    matrix[:, 2] += size / 2 - BASE_SIZE / 2 + rng.uniform(-0.03, 0.03, 2) * size
    return _warp(base, matrix, size)


def closeup_frame(base: Base, rng: np.random.Generator, skin_points: np.ndarray) -> Frame:
    """A window of skin around one of `skin_points` (base pixels), 1.2–5 px per mm at the CNN's input (the
    app scales a close-up to about 2 px per mm, or to at most its crop size when nothing in it has a known
    size; the CNN's input is half that crop)."""
    centre = skin_points[rng.integers(len(skin_points))].astype(np.float64)
    px_per_mm = float(np.exp(rng.uniform(np.log(1.2), np.log(5.0))))
    scale = px_per_mm / BASE_PX_PER_MM
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), rng.uniform(-35, 35), scale)
    matrix[:, 2] += OUT / 2 - centre
    frame = _warp(base, matrix, OUT)
    frame.kind = "closeup"
    return frame


@dataclass
class Turn:
    """A side view: backward maps (crop pixel → frame pixel), which crop pixels show the face, and which
    frame pixels are seen in the crop."""

    map_x: np.ndarray
    map_y: np.ndarray
    face: np.ndarray  # OUT × OUT bool: crop pixels on the turned face
    seen: np.ndarray  # frame-sized float 0/1: frame pixels that appear in the crop

    def apply(self, image: np.ndarray, outside: np.ndarray | None = None) -> np.ndarray:
        """The crop of a frame-sized `image` (any channels); pixels off the face come from `outside` when
        given (the frame without its face: `faceless`), so the face is not seen twice."""
        turned = cv2.remap(image, self.map_x, self.map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        if outside is None:
            return np.asarray(turned)
        around = cv2.remap(outside, self.map_x, self.map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        soft = cv2.GaussianBlur(self.face.astype(np.float32), (0, 0), 1.0)
        soft = soft.reshape(soft.shape + (1,) * (turned.ndim - 2))
        return np.asarray(turned * soft + around * (1 - soft)).astype(image.dtype)


def turn(landmarks: np.ndarray, size: int, rng: np.random.Generator) -> Turn:
    """Turn a frontal frame's face by 25–80° either way (see the module docstring) and frame it."""
    yaw = np.radians(rng.uniform(25, 80)) * (1 if rng.random() < 0.5 else -1)
    points = landmarks[:MESH_POINTS].astype(np.float64)
    width = float(np.ptp(points[:, 0]))
    centre_x, pivot_z = float(np.mean(points[:, 0])), float(np.mean(points[:, 2])) + 0.45 * width
    turned = points.copy()
    turned[:, 0] = centre_x + (points[:, 0] - centre_x) * np.cos(yaw) - (points[:, 2] - pivot_z) * np.sin(yaw)
    turned[:, 2] = pivot_z + (points[:, 0] - centre_x) * np.sin(yaw) + (points[:, 2] - pivot_z) * np.cos(yaw)
    triangles = _triangles(points[:, :2])
    label, affine = _rasterise(points, turned, triangles, size)
    opened = cv2.morphologyEx((label >= 0).astype(np.uint8), cv2.MORPH_OPEN, np.ones((9, 9), np.uint8))
    inside = (label >= 0) & opened.astype(bool)  # no slivers of edge-on triangles along the outline
    ys, xs = np.nonzero(inside)
    source = np.einsum("nij,nj->ni", affine[label[inside]], np.stack([xs, ys, np.ones_like(xs)], 1).astype(np.float64))
    map_x, map_y = _extrapolated(inside, xs, ys, source, size)
    crop = _framing(turned, rng)
    result = _cropped(map_x, map_y, inside, crop, size)
    visible = np.unique(cv2.warpAffine(np.where(inside, label, -1).astype(np.float32), crop, (OUT, OUT),
                                       flags=cv2.INTER_NEAREST, borderValue=-1)).astype(int)
    for t in visible[visible >= 0]:  # the frame's skin that is seen: every triangle nearest the camera
        cv2.fillConvexPoly(result.seen, np.round(points[triangles[t], :2]).astype(np.int32), 1.0)
    return result


def faceless(image: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The frame with its face filled in from what surrounds it (hair, ears, background), for what a turned
    face uncovers."""
    hull = cv2.convexHull(landmarks[:MESH_POINTS, :2].astype(np.float32))
    centre = hull.reshape(-1, 2).mean(axis=0)
    grown = np.round(centre + (hull.reshape(-1, 2) - centre) * 1.08).astype(np.int32)
    face = np.zeros(image.shape[:2], np.uint8)
    cv2.fillConvexPoly(face, grown, 1)
    size = image.shape[0]
    small = max(8, size // 8)
    keep = cv2.resize((1 - face).astype(np.float32), (small, small), interpolation=cv2.INTER_AREA)
    colour = cv2.resize(image.astype(np.float32) * (1 - face)[..., None], (small, small), interpolation=cv2.INTER_AREA)
    filled = np.zeros_like(colour)
    for sigma in (small / 16, small / 6, small / 2):  # fine where the surroundings are near, coarse far in
        weight = cv2.GaussianBlur(keep, (0, 0), sigma)[..., None]
        blurred = cv2.GaussianBlur(colour, (0, 0), sigma) / (weight + 1e-6)
        filled = np.where((filled.sum(axis=2, keepdims=True) == 0) & (weight > 0.05), blurred, filled)
    filled = cv2.resize(filled, (size, size), interpolation=cv2.INTER_LINEAR)
    return np.asarray(np.where(face[..., None] > 0, filled, image)).astype(image.dtype)


def _triangles(points: np.ndarray) -> np.ndarray:
    from scipy.spatial import Delaunay

    return np.asarray(Delaunay(points).simplices)


def _signed_area(p: np.ndarray, tri: np.ndarray) -> np.ndarray:
    a, b, c = p[tri[:, 0], :2], p[tri[:, 1], :2], p[tri[:, 2], :2]
    return np.asarray((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0]))


def _facing(points: np.ndarray, turned: np.ndarray, tri: np.ndarray) -> np.ndarray:
    """Triangles still facing the camera: their winding keeps its sign, and they are not edge-on."""
    before, after = _signed_area(points, tri), _signed_area(turned, tri)
    return np.asarray((np.sign(before) == np.sign(after)) & (np.abs(after) > 0.05 * np.abs(before)))


def _rasterise(points: np.ndarray, turned: np.ndarray, tri: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Label image of the nearest facing triangle per pixel (painter's order), and per triangle the affine
    map from turned to original pixels."""
    facing = np.nonzero(_facing(points, turned, tri))[0]
    order = facing[np.argsort(-turned[tri[facing]][:, :, 2].mean(axis=1))]  # far to near; smaller z = nearer
    label = np.full((size, size), -1, np.int32)
    affine = np.zeros((len(tri), 2, 3))
    for t in order:
        src, dst = points[tri[t], :2].astype(np.float32), turned[tri[t], :2].astype(np.float32)
        affine[t] = cv2.getAffineTransform(dst, src)
        cv2.fillConvexPoly(label, np.round(dst).astype(np.int32), int(t))
    return label, affine


def _extrapolated(inside: np.ndarray, xs: np.ndarray, ys: np.ndarray, source: np.ndarray,
                  size: int) -> tuple[np.ndarray, np.ndarray]:
    """Backward maps over the whole frame: exact on the face, the face's displacement smoothly continued
    outside it (hair, ears and background follow the outline). The continuation is smooth, so it is
    computed on an 8× smaller grid."""
    grid_y, grid_x = np.mgrid[0:size, 0:size].astype(np.float32)
    shift = np.zeros((size, size, 2), np.float32)
    shift[ys, xs] = (source - np.stack([xs, ys], 1)).astype(np.float32)
    small = size // 8
    weight = cv2.resize(inside.astype(np.float32), (small, small), interpolation=cv2.INTER_AREA)
    spread = cv2.resize(shift, (small, small), interpolation=cv2.INTER_AREA)
    sigma = small / 10
    smooth = cv2.GaussianBlur(spread, (0, 0), sigma) / (cv2.GaussianBlur(weight, (0, 0), sigma)[..., None] + 1e-6)
    smooth = cv2.resize(smooth, (size, size), interpolation=cv2.INTER_LINEAR)
    shift = np.where(inside[..., None], shift, smooth)
    return grid_x + shift[..., 0], grid_y + shift[..., 1]


def _framing(turned: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The app's side-view crop (desktop/ml/sideview.align_upright) at the CNN's input size, with the small
    jitter of landmark placement: the face upright, forehead-to-chin as tall as a frontal face's (2.5 × the
    eye distance of the front crop), centred on the point 45 % of the way from the nose tip to the near
    face edge. 2×3 affine from turned-frame pixels to crop pixels."""
    p = turned[:, :2]
    down = p[mesh.CHIN] - p[mesh.FOREHEAD_TOP]
    height = float(np.linalg.norm(down)) or 1.0
    near = mesh.FACE_EDGE_RIGHT if turned[mesh.FACE_EDGE_RIGHT, 2] < turned[mesh.FACE_EDGE_LEFT, 2] \
        else mesh.FACE_EDGE_LEFT
    centre = p[mesh.NOSE_TIP] + 0.45 * (p[near] - p[mesh.NOSE_TIP]) + rng.uniform(-0.03, 0.03, 2) * height
    angle = float(np.degrees(np.arctan2(down[0], down[1]))) + rng.uniform(-4, 4)
    scale = SIDE_FACE_HEIGHT * OUT / height * rng.uniform(0.93, 1.07)
    matrix = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), -angle, scale)
    matrix[:, 2] += np.array([OUT / 2, OUT / 2]) - centre
    return np.asarray(matrix)


def _cropped(map_x: np.ndarray, map_y: np.ndarray, inside: np.ndarray, crop: np.ndarray, size: int) -> Turn:
    inverse = cv2.invertAffineTransform(crop)
    grid_y, grid_x = np.mgrid[0:OUT, 0:OUT].astype(np.float32)
    turned_x = inverse[0, 0] * grid_x + inverse[0, 1] * grid_y + inverse[0, 2]
    turned_y = inverse[1, 0] * grid_x + inverse[1, 1] * grid_y + inverse[1, 2]
    crop_x = cv2.remap(map_x, turned_x, turned_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    crop_y = cv2.remap(map_y, turned_x, turned_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    face = cv2.remap(inside.astype(np.uint8), turned_x, turned_y, cv2.INTER_NEAREST, borderValue=0).astype(bool)
    return Turn(crop_x.astype(np.float32), crop_y.astype(np.float32), face, np.zeros((size, size), np.float32))
