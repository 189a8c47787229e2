# A layer-chain (macro) search for an MLP on a tabular data set: scikit-learn's
# breast-cancer table (30 numeric features, 2 classes), scored by ROC AUC.
# Run: nasdsl run specs/tabular_mlp.nas
experiment "tabular-mlp" {
  seed = 3

  data {
    source   = sklearn.breast_cancer
    split    = train 60%, val 20%, test 20%
    stratify = true

    preprocess {
      numeric = standardize
      impute  = median
    }
  }

  objective {
    maximize val.roc_auc
    metrics = [accuracy, f1]
  }

  space layers {
    repeat range(1, 3) {
      dense(units = choice(16, 32, 64), activation = choice(relu, gelu, tanh))
      optional batch_norm
      dropout(rate = uniform(0.0, 0.4))
    }
  }

  train {
    epochs     = 20
    batch_size = choice(32, 64)
    optimizer  = adamw(lr = loguniform(1e-4, 1e-2), weight_decay = loguniform(1e-5, 1e-2))
  }

  budget {
    trials = 20
    time   = 3 min
  }

  strategy tpe {
    startup = 5
  }

  backend = torch
}
