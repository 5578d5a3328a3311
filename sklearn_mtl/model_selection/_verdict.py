"""The verdict of a comparison, in plain words, from its corrected t-tests."""

from ._report import percent
from ._stats import CONFIDENCE

HELPS, HURTS, NO_DIFFERENCE, UNDEFINED = (
    "helps", "hurts", "no detectable difference", "undefined"
)
_ALPHA = 1 - CONFIDENCE


def decide(test):
    """``"helps"``, ``"hurts"``, ``"no detectable difference"`` (not significant
    at 1 - CONFIDENCE) or ``"undefined"`` (no test) for a CorrectedTTest of
    the multi-task model minus another."""
    if not test.p_value == test.p_value:  # NaN: fewer than 2 finite splits
        return UNDEFINED
    if test.p_value >= _ALPHA:
        return NO_DIFFERENCE
    return HELPS if test.mean > 0 else HURTS


def _by_word(words, wording, floor=()):
    """'helps on a, b; hurts on c' from {task: word}, in the order of wording.
    A task at the majority-class ``floor`` is not claimed to help (that claim
    would read as a contradiction of the floor): it is named apart."""
    parts = []
    for word, text in wording.items():
        tasks = [task for task, w in words.items() if w == word
                 and not (word == HELPS and task in floor)]
        if tasks:
            parts.append(f"{text} on {', '.join(tasks)}")
    held = [task for task, w in words.items() if w == HELPS and task in floor]
    if held:
        parts.append(f"not counted on {', '.join(held)} (at the majority-class floor)")
    return "; ".join(parts)


class Verdict:
    """Does multi-task learning help? The answer of a comparison, overall, per
    task and against the reference model, in plain words.

    Each word is ``"helps"``, ``"hurts"``, ``"no detectable difference"``
    (the corrected resampled t-test is not significant at the 5 % level) or
    ``"undefined"`` (e.g. a single-task score of 0 makes the relative gain
    undefined). The per-task words (against the single-task models, and
    against the reference) are several tests, one per task: their p-values
    are Holm-corrected across the tasks, and the text says so.

    The text names the floor first: a task on which the multi-task model is
    no better than the majority class is said so before the per-task words,
    and is not counted as a task where it helps or is better.

    Attributes
    ----------
    overall : str
        The word for Delta_m.
    tasks : dict of str to str
        The word for each task's gain over its single-task model (p-values
        Holm-corrected across the tasks).
    reference : dict of str to str or None
        The word for each task of the multi-task model against the reference
        model ("helps": the multi-task model scores higher; Holm-corrected
        across the tasks); None without one.
    at_or_below_majority : list of str
        Tasks on which the multi-task model scores no higher than its floor:
        always predicting the majority class (a classification task) or the
        training mean (a regression task).
    text : str
        The whole verdict in one line that starts with ``Verdict:``.
    short : str
        Lines for a plot title: the overall word, and how many tasks gain
        or lose, then the same against the reference.
    """

    def __init__(self, result):
        defined = result.delta_m == result.delta_m
        self.overall = decide(result.delta_m_test) if defined else UNDEFINED
        # the words come from the differences in score units, defined even
        # where a relative gain is not (a single-task score of 0)
        self.tasks = dict(zip(
            result.task_names, map(decide, result._holm(result._tests(result.stl_scores)))))
        self.reference = (
            None if result.reference_scores is None else dict(zip(
                result.task_names,
                map(decide, result._holm(result._tests(result.reference_scores)))))
        )
        self.at_or_below_majority = [
            name for name, below in zip(result.task_names, result.at_or_below_majority) if below
        ]
        self.short, self.text = self._words(result)

    def _words(self, result):
        test = result.delta_m_test
        if self.overall == UNDEFINED:
            zero = [n for n, g in zip(result.task_names, result.gain) if not g == g]
            short = "the overall gain is undefined"
            first = (
                f"{short}: Delta_m needs a non-zero single-task score on every task "
                f"(none on {', '.join(zero)})" if zero else short
            )
        else:
            short = {
                HELPS: "multi-task learning helps overall",
                HURTS: "multi-task learning hurts overall",
                NO_DIFFERENCE: "multi-task learning makes no detectable difference overall",
            }[self.overall]
            first = (
                f"{short} (Delta_m {percent(result.delta_m)}, {result._interval_text(test)}"
                + (f"; over J = {test.n_splits} of {result.n_splits} splits, "
                   f"{result.left_out_text}" if result.left_out_text else "")
                + ")"
            )
        floor = self.at_or_below_majority
        sentences = [first]
        if floor:
            floors = {"classification": "the majority class",
                      "regression": "the training mean"}
            kinds = dict(zip(result.task_names, result.task_kinds))
            sentences.append(
                "the multi-task model is no better than always predicting " + "; than ".join(
                    f"{words} on {', '.join(n for n in floor if kinds[n] == kind)}"
                    for kind, words in floors.items() if any(kinds[n] == kind for n in floor))
            )
        sentences.append(
            f"per task (p-values Holm-corrected across the {len(self.tasks)} tasks) it "
            + _by_word(self.tasks, {
                HELPS: "helps", HURTS: "hurts", NO_DIFFERENCE: "makes no detectable difference",
                UNDEFINED: "is undefined"}, floor)
        )
        if self.reference is not None:
            sentences.append(
                f"against the {result.reference_name} reference the multi-task model is "
                + _by_word(self.reference, {
                    HELPS: "better", HURTS: "worse", NO_DIFFERENCE: "no different",
                    UNDEFINED: "undecided"}, floor)
            )
        text = "Verdict: " + ". ".join(s[0].upper() + s[1:] for s in sentences) + "."
        counts = [(self.tasks, "MTL", "helps", "hurts")]
        if self.reference is not None:
            counts.append((self.reference, f"vs {result.reference_name}", "better", "worse"))
        tallies = "\n".join(
            f"{who} {good} on {list(words.values()).count(HELPS)}, {bad} on "
            f"{list(words.values()).count(HURTS)} of {len(words)} tasks"
            for words, who, good, bad in counts
        )
        return f"Verdict: {short}\n{tallies}", text

    def __str__(self):
        return self.text

    def __repr__(self):
        return f"Verdict(overall={self.overall!r})"

    def to_dict(self):
        """A JSON-serialisable form."""
        return {
            "text": self.text,
            "overall": self.overall,
            "tasks": dict(self.tasks),
            "reference": None if self.reference is None else dict(self.reference),
            "at_or_below_majority": list(self.at_or_below_majority),
            "multiple_testing": "Holm across tasks",
        }
