# expect: NAS422 3:3 hint: remove `folds`, or use a strategy that trains each candidate
experiment "x" {
  data {
    source = sklearn.digits
    split  = train 85%, test 15%
    folds  = 3
  }
  objective { maximize val.accuracy }
  space nb201 { nodes = 4; ops = [skip_connect, nor_conv_3x3] }
  strategy darts
}
