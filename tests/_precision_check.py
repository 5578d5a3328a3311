"""Mixed precision through the accelerator, in a process of its own (an
Accelerator's settings are process-wide): ``python _precision_check.py cpu|cuda``
fits with ``Accelerator(mixed_precision="bf16")`` and prints the dtype of the
training outputs, of the parameters and of ``predict_proba``."""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from accelerate import Accelerator  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402

from sklearn_mtl import MultiTaskClassifier  # noqa: E402


class OutputDtypes(Callback):
    def on_train_begin(self, net, **kwargs):
        self.dtypes_ = set()

    def on_batch_end(self, net, training=None, y_pred=None, **kwargs):
        if training:
            self.dtypes_.add(str(y_pred.dtype))


def main(device):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(400, 5)).astype(np.float32)
    Y = np.column_stack([X[:, 0] + X[:, 1] > 0, X[:, 2] > 0]).astype(int)
    accelerator = Accelerator(cpu=device == "cpu", mixed_precision="bf16")
    spy = OutputDtypes()
    clf = MultiTaskClassifier((16,), max_epochs=3, random_state=0, callbacks=[("spy", spy)],
                              accelerator=accelerator).fit(X, Y)
    (dtype,) = dict(clf.net_.callbacks_)["spy"].dtypes_
    (param_dtype,) = {str(p.dtype) for p in clf.net_.module_.parameters()}
    print(dtype, param_dtype, clf.predict_proba(X)[0].dtype)


if __name__ == "__main__":
    main(sys.argv[1])
