// A layer-chain ("macro") search on tabular data, with a Pareto objective.
experiment "cancer-mlp" {
  data      { source = sklearn.breast_cancer; split = train 60%, val 20%, test 20% }
  objective {
    maximize val.roc_auc
    minimize params
    metrics = [accuracy, f1]
  }

  space layers {
    repeat range(1, 3) {
      dense(units = choice(16, 32, 64, 128), activation = choice(relu, gelu, tanh))
      optional batch_norm
      dropout(rate = uniform(0.0, 0.5))
    }
    choice(dense(units = 16), [dense(units = 8), relu], [])
  }

  train    { epochs = 30; optimizer = adamw(lr = loguniform(1e-4, 1e-2), weight_decay = loguniform(1e-6, 1e-3)) }
  budget   { trials = 50; time = 5 min }
  strategy nsga2 { population = 16; crossover = 0.8 }
  backend  = keras
}
