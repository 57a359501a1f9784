"""Edit operations on codes and images (traverse, sweep, set_attribute, swap_class, transfer, inpaint, sefa)."""

from tfdis.editing.sefa import first_layer_weight
from tfdis.editing.sefa import sefa_directions
from tfdis.editing.sefa import sefa_sweep
from tfdis.editing.sefa import sefa_traverse
from tfdis.editing.traversal import local_sweep
from tfdis.editing.traversal import sweep
from tfdis.editing.traversal import traversal_grid
from tfdis.editing.traversal import traverse
from tfdis.editing.lrli import inpaint
from tfdis.editing.lrli import transfer
from tfdis.editing.lrli import transfer_grid
from tfdis.editing.attributes import class_analogies
from tfdis.editing.attributes import intensity_sweep
from tfdis.editing.attributes import set_attribute
from tfdis.editing.attributes import swap_class
