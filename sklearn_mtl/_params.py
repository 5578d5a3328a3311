"""An estimator ``__init__`` generated from its parameter list.

scikit-learn's ``get_params`` reads an estimator's parameters from the
signature of its ``__init__``, which only stores them; estimators whose
parameters are listed once (the neural estimators, the shared trees) build
that ``__init__`` here instead of writing it by hand.
"""

import inspect


def make_init(params, n_positional=0):
    """An ``__init__`` that stores ``params``, with the signature
    scikit-learn's ``get_params`` reads.

    Parameters
    ----------
    params : sequence of (name, default)
        The parameters, in signature order.
    n_positional : int, default=0
        How many of the first parameters may be passed by position; the
        others are keyword-only.

    Returns
    -------
    __init__ : function
    """
    signature = inspect.Signature([
        inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD),
        *(inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD if i < n_positional
                            else inspect.Parameter.KEYWORD_ONLY, default=default)
          for i, (name, default) in enumerate(params)),
    ])

    def __init__(self, *args, **kwargs):
        bound = signature.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = signature
    __init__.__doc__ = "Store the parameters (see the class docstring)."
    return __init__
