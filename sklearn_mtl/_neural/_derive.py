"""What the neural estimators derive from their lists of parameters.

A :class:`Param` is one parameter, defined once in :mod:`._params`; from a
list of them come an estimator's ``__init__`` (which only stores them), its
``_parameter_constraints``, the Parameters and fitted-network Attributes
sections of its docstring, and the names of the parameters that shape the
network (a warm start cannot change those).
"""

from typing import NamedTuple

from .._params import make_init as store_init


class Param(NamedTuple):
    """One parameter of the neural estimators.

    Attributes
    ----------
    name : str
    default : object
    constraints : list
        Its ``_parameter_constraints`` entry.
    doc : str
        Its numpydoc entry (``name : type, default=...`` and the description),
        unindented.
    network : bool
        Whether it shapes the network (a warm start cannot change it).
    """

    name: str
    default: object
    constraints: list
    doc: str
    network: bool = False


def _options(values):
    """``{"a", "b"}``, the numpydoc form of a choice."""
    return "{" + ", ".join(f'"{v}"' for v in values) + "}"


def _alternatives(values):
    """``"a", "b" or "c"``."""
    quoted = [f'"{v}"' for v in values]
    return ", ".join(quoted[:-1]) + " or " + quoted[-1] if len(quoted) > 1 else quoted[0]


NETWORK_ATTRIBUTES_DOC = """\
task_weights_ : ndarray of shape (`n_tasks_`,)
    The task weights applied in the last training epoch,
    ``w_j * lambda_j`` averaged over its batches; the fixed
    ``task_weights`` under static weighting. The weights of every epoch
    are in ``history_[:, "task_weights"]``.
weighting_ : WeightingStrategy
    The validated strategy used (a clone of ``weighting``). Its learned
    state is ``net_.module_.task_weighting``.
n_features_in_ : int
    Number of features (the size of axis 1) seen during fit.
feature_names_in_ : ndarray of shape (`n_features_in_`,)
    Names of the features, when X is a DataFrame with string columns.
net_ : skorch.NeuralNet
    The fitted skorch net; ``net_.module_`` is the torch network.
history_ : skorch.History
    skorch's record of every epoch, including the per-task losses
    ``train_loss_<task>`` (and ``valid_loss_<task>`` with early stopping)
    and the applied ``task_weights``.
n_iter_ : int
    Number of epochs run.
input_normalizer_ : object or None
    The per-column normaliser learned from the training rows (see
    ``input_normalization``); None when there is none.
"""
"""The Attributes entries of the fitted network, shared by the estimators."""


def network_params(params):
    """Names of the parameters that shape the network."""
    return tuple(p.name for p in params if p.network)


def parameter_constraints(params):
    """The ``_parameter_constraints`` of an estimator with ``params``."""
    return {p.name: list(p.constraints) for p in params}


def parameters_doc(params, indent=4):
    """The numpydoc Parameters entries of ``params``, indented."""
    listed = ", ".join(f"``{name}``" for name in network_params(params))
    pad = " " * indent
    text = "".join(p.doc.replace("{network_params}", listed) for p in params)
    return "".join(pad + line if line.strip() else line
                   for line in text.splitlines(keepends=True)).rstrip("\n")


def document(template, params):
    """``template`` with ``{parameters}`` replaced by the entries of ``params``
    and ``{network_attributes}`` by those of the fitted network."""
    attributes = "".join("    " + line if line.strip() else line
                         for line in NETWORK_ATTRIBUTES_DOC.splitlines(keepends=True))
    return (template.replace("{parameters}", parameters_doc(params).lstrip())
            .replace("{network_attributes}", attributes.strip()))


def make_init(params):
    """An ``__init__`` that stores ``params`` (the first positional, the
    others keyword-only), with the signature scikit-learn's ``get_params``
    reads."""
    return store_init([(p.name, p.default) for p in params], n_positional=1)
