# expect: NAS101 6:3 hint: budget
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  space layers { dense(units = 8) }
  budgte { trials = 3 }
}
