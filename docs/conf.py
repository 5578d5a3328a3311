"""Sphinx configuration of the sklearn-mtl documentation.

Build: ``pip install -e ".[docs]"`` then
``python -m sphinx -W -b html docs docs/_build/html``. The gallery runs every
``examples/plot_*.py``; ``SKLEARN_MTL_DOCS_QUICK=1`` in the environment makes
them run on small data (CI sets it).
"""

import importlib
import inspect
import pkgutil
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Build from a checkout without installing: the package in the repository
# root wins over an installed copy.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))  # _gallery_order, imported by name

from sphinx.pycode import ModuleAnalyzer  # noqa: E402
from sphinx.util import logging  # noqa: E402

import sklearn_mtl  # noqa: E402

project = "sklearn-mtl"
author = "sklearn-mtl developers"
copyright = "sklearn-mtl developers"
release = sklearn_mtl.__version__
version = ".".join(release.split(".")[:2])

# The public modules: the package and its subpackages without a leading
# underscore. api.rst must list each (checked in setup() below).
PUBLIC_MODULES = ["sklearn_mtl"] + [
    f"sklearn_mtl.{info.name}"
    for info in pkgutil.iter_modules(sklearn_mtl.__path__)
    if not info.name.startswith("_")
]

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "images", "Thumbs.db", ".DS_Store"]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
default_role = "literal"  # `name` renders as code, as in numpydoc docstrings

# -- API reference -------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
# List what each public module exports in __all__, nothing else: new
# public names (a merged estimator, a new metric) appear by themselves.
autosummary_ignore_module_all = False
autodoc_default_options = {"members": True, "inherited-members": True}
autodoc_typehints = "none"
# numpydoc lists the methods of each class in a table that links to the
# autodoc entries below it; the members themselves come from autodoc.
numpydoc_show_class_members = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False  # no intersphinx: the build is offline
# Docstring validation (numpydoc's codes): the checks that catch a reference
# out of step with the code, which -W turns into build errors. Style-only
# codes (summary on one line, See Also wording, ...) are left to review.
numpydoc_validation_checks = {
    "GL08",  # the object has no docstring
    "PR01",  # a parameter of the signature is not documented
    "PR02",  # a documented parameter is not in the signature
    "PR03",  # parameters documented in another order than the signature's
    "PR10",  # missing space before the colon of "name : type"
    "SS01",  # no summary
}
# Members that scikit-learn writes and documents (get_params, set_params)
# are checked there, not here. EX01 (no Examples section) is not enabled: it
# would apply to every method and property; the public estimators and
# functions carry runnable Examples, which pytest runs as doctests.
numpydoc_validation_exclude = {
    r"\.get_params$",
    r"\.set_params$",
    r"\.get_metadata_routing$",
    r"\.set_\w+_request$",
    r"\.__init__$",
    # Records the package builds (the results of compare_with_single_task and
    # task_affinity; the batch the weighting hooks receive): users read them,
    # never construct them; their constructor arguments are their documented
    # Attributes.
    r"\.ComparisonResult$",
    r"\.TaskAffinityResult$",
    r"\.TaskBatch$",
}

# scikit-learn's metadata-routing machinery (set_fit_request, ...) is
# inherited by every estimator, generated at run time and documented in
# scikit-learn's own reference; its docstrings cite labels of that site.
_SKLEARN_ROUTING = re.compile(r"^(set_\w+_request|get_metadata_routing)$")


def _skip_member(app, what, name, obj, skip, options):
    # Python's own tuple.count/index, inherited by the TaskBatch NamedTuple.
    builtin = getattr(obj, "__objclass__", None) in (tuple, object)
    return True if builtin or _SKLEARN_ROUTING.match(name) else None


def _reexported_data_docs(public_modules):
    """A public constant re-exported by a package's ``__init__`` (such as
    ``weighting.WEIGHTINGS``) has its docstring where it is assigned, which
    autodoc does not read: copy it into the analysis of the public module
    (autodoc's analyses are cached per module)."""
    for public in public_modules:
        module = importlib.import_module(public)
        analyzer = ModuleAnalyzer.for_module(public)
        analyzer.analyze()
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if ("", name) in analyzer.attr_docs or inspect.isclass(obj) or callable(obj):
                continue
            for modname, defining in list(sys.modules.items()):
                if modname.startswith(public + ".") and getattr(defining, name, None) is obj:
                    docs = ModuleAnalyzer.for_module(modname).find_attr_docs()
                    if ("", name) in docs:
                        analyzer.attr_docs[("", name)] = docs[("", name)]
                        break


def _check_api_lists_public_modules():
    listed = set((Path(__file__).parent / "api.rst").read_text().split())
    for name in PUBLIC_MODULES:
        if name not in listed:
            logging.getLogger(__name__).warning(
                "docs/api.rst does not list the public module %s", name)


def setup(app):
    app.connect("autodoc-skip-member", _skip_member)
    _check_api_lists_public_modules()
    _reexported_data_docs(PUBLIC_MODULES)


# -- Gallery -------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # the article's example first, then from the everyday to the specialised
    "within_subsection_order": "_gallery_order.gallery_order",
    "download_all_examples": False,
    "show_memory": False,
    "remove_config_comments": True,
    "doc_module": ("sklearn_mtl",),
    "backreferences_dir": "generated/backreferences",
    "reference_url": {"sklearn_mtl": None},
    "matplotlib_animations": False,
}

# -- HTML ----------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-mtl {release}"
html_static_path = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
html_show_sourcelink = False
myst_heading_anchors = 3
# CHANGELOG.md is appended to by every contributor; a skipped heading level
# there (## then ####) must not fail the build.
suppress_warnings = ["myst.header"]
