# A table with categorical columns and missing values, searched with ENAS-style settings.
experiment "houses-preprocess" {
  data {
    source    = csv("data/houses.csv", target = "price")
    task      = regression
    normalize = minmax

    preprocess {
      categorical         = ordinal
      impute              = constant(value = 0)
      categorical_columns = ["city", 3]
    }
  }

  objective {
    minimize val.mse
  }

  space layers {
    repeat range(1, 2) {
      dense(units = choice(16, 32), activation = relu)
    }
  }

  budget {
    trials = 4
  }

  strategy enas {
    supernet_epochs  = 5
    controller_steps = 20
    controller_lr    = 0.001
  }
}
