"""LORD's export (Gabbay & Hoshen 2020): codes [class code | content code]; the common signatures plus the
class and content encoders, decoding a (class, content) pair, `transfer` and `transfer_grid`."""

from tfdis import editing
from tfdis import signatures
from tfdis.models.lord import model as lord_lib

image_input, code_input, Signature = signatures.image_input, signatures.code_input, signatures.Signature


def lord_signatures(model, image_shape):
  """LORD's own signatures: the class and content encoders, decoding a (class, content) pair, transfer."""
  class_images, content_images = image_input("class_images", image_shape), image_input("content_images",
                                                                                        image_shape)

  def transfer_grid(class_images, content_images):
    return {"images": editing.transfer_grid(model.encode_parts, model.decode, class_images, content_images)}

  return (
      Signature("encode_class", lambda images: {"class_codes": model.encode_class(images)},
                (image_input("images", image_shape),), "images [n, h, w, c] -> class codes [n, d_y] (E_y)"),
      Signature("encode_content", lambda images: {"content_codes": model.encode_content(images)},
                (image_input("images", image_shape),), "images [n, h, w, c] -> content codes [n, d_c] (E_c)"),
      Signature("decode_class_content",
                lambda class_codes, content_codes: {"images": model.decode(class_codes, content_codes)},
                (code_input("class_codes", model.class_dim), code_input("content_codes", model.content_dim)),
                "class codes [n, d_y], content codes [n, d_c] -> images G(class, content) [n, h, w, c]"),
      Signature("transfer", lambda class_images, content_images: {
          "images": model.transfer(class_images, content_images)}, (class_images, content_images),
                "class_images [n, ...], content_images [n, ...] -> images [n, h, w, c] with the class of the "
                "first and the content of the second (eq. 9)"),
      Signature("transfer_grid", transfer_grid, (class_images, content_images),
                "class_images [n, ...], content_images [m, ...] -> images [n, m, h, w, c]: row i keeps the class "
                "of class_images[i], column j takes the content of content_images[j]"),
  )


@signatures.register_family(lord_lib.LORD)
def lord_family(model):
  """LORD: codes are [class code | content code]; `decode` takes the concatenation (see latent_layout)."""
  image_shape, d_y, d_c = model.image_shape, model.class_dim, model.content_dim
  span = [-signatures.NORMAL_CODE_RANGE, signatures.NORMAL_CODE_RANGE]
  return signatures.Family(
      name="lord",
      image_shape=image_shape,
      signatures=signatures.common_signatures(model, image_shape, d_y + d_c) + lord_signatures(model, image_shape),
      modules=(model.generator, model.class_encoder, model.content_encoder),
      latent_layout=[{"name": "class", "start": 0, "size": d_y, "kind": "class_code", "range": span},
                     {"name": "content", "start": d_y, "size": d_c, "kind": "content_code", "range": span}])
