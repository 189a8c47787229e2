# expect: NAS202 5:28 hint: ms
experiment "x" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }
  constraints { latency <= 5 MB }
  space layers { dense(units = 8) }
}
