"""Published networks from keras.applications as baselines, under the trial protocol.

keras.applications need images of at least 32×32 with 3 channels, so the model starts
with layers that adapt the data: a bilinear Resizing to `input_size`×`input_size` (digits
are 8×8 and are upsampled), the grey channel repeated three times, and the application's own
input scaling (the data is in [0, 1]; applied with and without pre-trained weights, so
both train on the same inputs). The
network runs without its ImageNet top (`include_top=False`, global average pooling) and a
new dense output layer (logits) is added. `weights = none` trains from scratch and
downloads nothing; `weights = imagenet` passes weights="imagenet" to Keras (which
downloads them once) and `trainable = false` freezes the pre-trained part.
"""

from __future__ import annotations

import keras
from keras import layers

# How each application expects its inputs when it uses ImageNet weights.
# "tf": [-1, 1]; "torch": ImageNet mean/std; "caffe": 0-255 minus the ImageNet mean (the
# RGB→BGR swap is not applied: it changes nothing for grey images); "raw": 0-255, the
# model scales itself.
PREPROCESSING = {
    "NASNetMobile": "tf", "NASNetLarge": "tf", "MobileNetV2": "tf", "MobileNet": "tf",
    "MobileNetV3Small": "raw", "MobileNetV3Large": "raw", "EfficientNetB0": "raw",
    "ResNet50": "caffe", "DenseNet121": "torch",
}
_MEAN = (0.485, 0.456, 0.406)
_STD = (0.229, 0.224, 0.225)


def application_class(name: str) -> type:
    """The keras.applications constructor of 'keras.NASNetMobile' (or 'NASNetMobile')."""
    short = name.removeprefix("keras.")
    ctor = getattr(keras.applications, short, None)
    if ctor is None or short not in PREPROCESSING:
        raise ValueError(f"'{name}' is not a supported Keras application "
                         f"({', '.join('keras.' + n for n in PREPROCESSING)})")
    return ctor


def _scale(x: object, mode: str) -> object:
    if mode == "tf":
        return layers.Rescaling(2.0, offset=-1.0)(x)
    if mode == "torch":
        return layers.Normalization(mean=_MEAN, variance=[s * s for s in _STD])(x)
    if mode == "caffe":
        x = layers.Rescaling(255.0)(x)
        return layers.Normalization(mean=(103.939, 116.779, 123.68), variance=(1.0,) * 3)(x)
    return layers.Rescaling(255.0)(x)


def build_application(name: str, input_shape: tuple[int, ...], outputs: int,
                      weights: str = "none", trainable: bool = True,
                      input_size: int = 32) -> keras.Model:
    """Application `name` on channels-first `input_shape` data with `outputs` logits."""
    if len(input_shape) != 3:
        raise ValueError(f"{name} needs image data (C, H, W), got shape {input_shape}")
    if input_size < 32:
        raise ValueError(f"keras applications need inputs of at least 32×32, not {input_size}")
    if weights not in ("none", "imagenet"):
        raise ValueError(f"weights must be none or imagenet, not {weights!r}")
    ctor = application_class(name)
    c, h, w = input_shape
    inputs = keras.Input((h, w, c))
    x = inputs
    if (h, w) != (input_size, input_size):
        x = layers.Resizing(input_size, input_size, interpolation="bilinear")(x)
    if c == 1:
        x = layers.Concatenate()([x, x, x])
    elif c != 3:
        raise ValueError(f"{name} needs 1 or 3 channels, the data has {c}")
    x = _scale(x, PREPROCESSING[name.removeprefix("keras.")])
    base = ctor(include_top=False, weights=None if weights == "none" else "imagenet",
                input_shape=(input_size, input_size, 3), pooling="avg")
    base.trainable = trainable or weights == "none"
    x = base(x, training=None if base.trainable else False)
    return keras.Model(inputs, layers.Dense(outputs)(x), name=name.removeprefix("keras."))
