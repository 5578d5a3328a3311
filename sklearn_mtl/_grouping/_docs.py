"""The docstring sections every task-grouping meta-estimator shares, filled
into each class docstring by :func:`shared_doc` with the words of its kind."""

import inspect

SHARED_DOC = {
    "parameters": """task_groups : {"auto", "all", "single"} or list of lists, default="auto"
        The partition of the tasks: "all" (one group), "single" (one group
        per task), a list of lists of task names or column indices with
        every task in exactly one group, or "auto" (see Notes).
    max_groups : int, default=None
        With ``task_groups="auto"``, the most groups kept: the most strongly
        linked groups are merged until no more remain. None leaves the
        number of groups to the search.
    max_candidates : int, default=None
        With ``task_groups="auto"``, the most groups fitted and validated by the
        greedy step of the search (its cost limit; see Notes); None allows
        ``n_tasks``.
    validation_fraction : float, default=0.25
        With ``task_groups="auto"``, fraction of the training rows held out to
        validate the groups.
    search_params : dict, default=None
        With ``task_groups="auto"``, parameters of ``estimator`` (nested names
        allowed, as for ``set_params``) that only the fits of the search
        use, to make them cheaper: fewer epochs, a shorter early-stopping
        patience, fewer trees. They only rank groups, so a low budget (a
        fraction of the final fit's epochs) keeps the search's cost below
        that of the final fits (see Notes). The final fits use
        ``estimator`` as given.
    n_jobs : int, default=None
        Number of fits run in parallel (joblib): the groups' final fits and
        the first fits of the search.
    random_state : int, RandomState instance or None, default=None
        Seeds the inner validation split; it also seeds the clones of
        ``estimator`` whose ``random_state`` is None, so that the same
        ``random_state`` gives the same model.
    groups : {"auto", "all", "single"} or list of lists, default="deprecated"
        The former name of ``task_groups``.

        .. deprecated:: 0.1.0
            ``groups`` was renamed ``task_groups`` in 0.1.0 and will be
            removed in 0.2.0: ``groups`` means the cross-validation groups
            elsewhere (``compare_with_single_task(groups=...)``).""",
    "attributes": """groups_ : list of list of str
        The groups of task names; every task is in exactly one group.
    estimators_ : list of estimators
        The fitted clone of ``estimator`` of each group of ``groups_``.
    task_names_ : ndarray of str, shape (`n_tasks_`,)
        Column names of a DataFrame target, else ``task_0``, ``task_1``, ...
    n_tasks_ : int
        Number of tasks.""",
    "search_attributes": """search_history_ : list of dict
        With ``task_groups="auto"``, one entry per group fitted by the search:
        its task names (``"group"``), their validation scores
        (``"scores"``: {score}) and whether the search kept it
        (``"accepted"``; for the fit of all tasks together, last, whether
        it was chosen); empty otherwise.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the features, when X is a DataFrame with string columns.""",
    "notes": """**The "auto" search.** The training rows are split once, at random,
    into an inner training part and ``validation_fraction`` of validation
    rows, and every fit of the search is trained on the first and scored on
    the second:

    1. the affinity of two tasks is the dependence of their targets on the
       inner training rows (``affinity_``: {dependence}); a pair is linked
       when the test of independence rejects at level 0.01,
       Bonferroni-corrected over the pairs;
    2. every task is fitted alone, each connected set of linked tasks
       together, and all tasks together. A set is kept as a group when it
       does no worse than its tasks alone: the drop of the validation
       {unit} per row is at most one standard error (training together
       versus alone, Standley et al., ICML 2020). A task linked to no other
       (a pure-noise task, for instance) stays alone in this partition;
    3. in a set that was not kept, linked groups are merged greedily, the
       most strongly linked pair first, under the same rule, each pair
       once, for at most ``max_candidates`` fits;
    4. the partition found is compared with all tasks together and with
       every task alone, on the same validation rows: the better of these
       two replaces it only if its {unit} per row exceed those of the
       partition by more than one standard error. So "auto" follows the
       structure of the targets unless the validation rows show that plain
       sharing (``"all"``, which then includes unlinked tasks) or no
       sharing (``"single"``) is better.

    The chosen groups are then refitted on all the training rows.

    **Cost.** For T tasks in C linked sets, ``T + C + 1`` fits (fewer when a
    set is all the tasks) and at most ``max_candidates`` more on
    ``1 - validation_fraction`` of the rows, then one fit per group. With a
    network, a fit on one task costs nearly as much as a fit on all tasks
    (the trunk and the epochs dominate), so the search costs about as much
    as ``task_groups="single"`` unless ``search_params`` makes its fits cheaper
    (fewer epochs, a shorter patience): the whole "auto" fit stays within T
    fits on all tasks only with such a budget. ``benchmarks/bench_grouping.py``
    measures the total in units of one fit on all tasks.

    **Assumptions.** Tasks that help each other have dependent targets on
    the training rows: tasks that share features but not targets are
    grouped only when all tasks together win (step 4). A tie goes to
    sharing among linked tasks, and to the partition of step 3 over "all"
    and "single". The inner split is a single hold-out, so on small data
    sets the choice is noisy; each task needs labelled rows on both sides
    of it (otherwise all tasks are trained together, with a warning). The
    lookahead affinity of TAG (Fifty et al., NeurIPS 2021) would need hooks
    in the training loop and applies only to networks; this search works
    with any estimator.""",
    "references": """T. Standley, A. R. Zamir, D. Chen, L. Guibas, J. Malik and S. Savarese,
    "Which Tasks Should Be Learned Together in Multi-task Learning?",
    ICML 2020.

    C. Fifty, E. Amid, Z. Zhao, T. Yu, R. Anil and C. Finn, "Efficiently
    Identifying Task Groupings for Multi-Task Learning", NeurIPS 2021.""",
}
"""Docstring sections every grouping meta-estimator shares, filled into
their class docstrings (``{score}``, ``{dependence}``, ``{unit}`` name the
kind's score, dependence measure and per-row terms)."""


def shared_doc(**words):
    """Class decorator: fill the class docstring's ``{parameters}``,
    ``{attributes}``, ``{search_attributes}``, ``{notes}`` and
    ``{references}`` lines (each alone on its line) with
    :data:`SHARED_DOC`, its ``{word}`` placeholders replaced by ``words``."""
    def decorate(cls):
        lines = []
        for line in inspect.cleandoc(cls.__doc__).splitlines():
            key = line.strip()[1:-1]
            if not (line.strip().startswith("{") and key in SHARED_DOC):
                lines.append(line)
                continue
            text = inspect.cleandoc(SHARED_DOC[key])
            for word, value in words.items():
                text = text.replace("{" + word + "}", value)
            indent = line[: len(line) - len(line.lstrip())]
            lines.extend(indent + row if row else row for row in text.splitlines())
        cls.__doc__ = "\n".join(lines)
        return cls
    return decorate
