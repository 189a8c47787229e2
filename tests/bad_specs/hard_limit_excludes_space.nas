# expect: NAS420 10:5 hint: add `soft`
experiment "too-small" {
  data { source = sklearn.digits }

  objective {
    maximize val.accuracy
  }

  constraints {
    model_size <= 1 KB
    params     <= 100
  }

  space layers {
    dense(units = choice(16, 32))
  }
}
