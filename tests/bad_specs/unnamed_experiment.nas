# expect: NAS105 2:1
experiment {
  data { source = sklearn.digits }
}
