"""The mddAE family's export (AE, disAE, disAE-XCov, mddAE-XCov, mddAE-dCov): codes [ŷ, z]; `swap_class` and
`class_analogies` for classes (case 1), `set_attribute` and `attribute_sweep` for attributes (case 2)."""

from tfdis import signatures
from tfdis.models import base
from tfdis.models.mddae import model as mddae_lib

image_input, index_input, values_input = signatures.image_input, signatures.index_input, signatures.values_input
Signature = signatures.Signature

# Slider range of an attribute's intensity: editing may go beyond 1 (the paper shows up to about 2).
ATTRIBUTE_RANGE = (-1.0, 3.0)


def mddae_edit_signatures(model, image_shape):
  """Case 1 (`targets="classes"`): `swap_class`, `class_analogies`; case 2: `set_attribute`, `attribute_sweep`."""
  images, c = image_input("images", image_shape), model.num_targets
  if model.targets == "classes":
    return (
        Signature("swap_class", lambda images, target_class: {"images": model.swap_class(images, target_class)},
                  (images, index_input("target_class", c)),
                  "images [n, h, w, c], target_class [n] -> images [n, h, w, c]: ŷ's target element exchanged "
                  "with its maximum, z kept"),
        Signature("class_analogies", lambda images: {"images": model.class_analogies(images)}, (images,),
                  "images [n, h, w, c] -> images [n, C, h, w, c]: each image shown as every class"),
    )
  low, high = ATTRIBUTE_RANGE
  return (
      Signature("set_attribute", lambda images, attribute_index, value: {
          "images": model.set_attribute(images, attribute_index, value)},
                (images, index_input("attribute_index", c), signatures.scalar_input("value", low, high)),
                "images [n, h, w, c], attribute_index [n], value [n] (any real, above 1 allowed) -> images"),
      Signature("attribute_sweep", lambda images, attribute_index, values: {
          "images": model.attribute_sweep(images, attribute_index, values)},
                (images, index_input("attribute_index", c), values_input("values", high)),
                "images [n, h, w, c], attribute_index [n], values [n, v] -> images [n, v, h, w, c]: an "
                "intensity sweep of one attribute per image"),
  )


@signatures.register_family(mddae_lib.MddAE)
def mddae_family(model):
  """mddAE and baselines: codes [ŷ, z]; ŷ are class probabilities or attribute intensities."""
  image_shape = base.image_shape_of(model)
  c, d = model.num_targets, model.latent_dim - model.num_targets
  names = model.target_names
  kind = "class_probability" if model.targets == "classes" else "attribute_intensity"
  y_range = [0.0, 1.0] if model.targets == "classes" else list(ATTRIBUTE_RANGE)
  return signatures.Family(
      name="mddae",
      image_shape=image_shape,
      signatures=(signatures.common_signatures(model, image_shape, model.latent_dim)
                  + mddae_edit_signatures(model, image_shape)),
      modules=(model.encoder, model.decoder),
      latent_layout=[{"name": "y", "start": 0, "size": c, "kind": kind, "range": y_range, "names": list(names)},
                     {"name": "z", "start": c, "size": d, "kind": "deterministic",
                      "range": [-signatures.NORMAL_CODE_RANGE, signatures.NORMAL_CODE_RANGE]}],
      class_names=names if model.targets == "classes" else (),
      attribute_names=names if model.targets == "attributes" else ())
