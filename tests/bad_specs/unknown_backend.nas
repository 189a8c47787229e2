# expect: NAS306 6:13
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
  backend = jax
}
