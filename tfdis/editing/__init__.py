"""Edit operations on codes and images (traverse, set_attribute, swap_class, transfer, inpaint, sefa)."""

from tfdis.editing.traversal import traversal_grid
from tfdis.editing.traversal import traverse
