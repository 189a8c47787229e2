# A Pareto search: the most accurate and the fastest MLPs for digits at the same time.
# NSGA-II keeps a front of trade-offs; the report lists it.
# Run: nasdsl run specs/pareto_latency.nas
experiment "pareto-latency" {
  seed = 13

  data {
    source   = sklearn.digits
    split    = train 70%, val 15%, test 15%
    stratify = true
  }

  objective {
    maximize val.accuracy
    minimize latency
  }

  constraints {
    latency <= 20 ms (batch = 1, device = cpu)
    params  <= 100k
  }

  space layers {
    repeat range(1, 3) {
      dense(units = choice(16, 64, 256), activation = relu)
    }
  }

  train {
    epochs     = 8
    batch_size = 64
    optimizer  = adam(lr = 3e-3)
  }

  budget {
    trials = 24
    time   = 5 min
  }

  strategy nsga2 {
    population = 8
  }

  backend = torch
}
