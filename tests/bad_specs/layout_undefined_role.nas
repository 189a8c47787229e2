# expect: NAS309 8:23 hint: add reduction = cell
experiment "no-reduction" {
  data { source = sklearn.digits }
  objective { maximize val.accuracy }

  space cells {
    normal = cell(blocks = 2, ops = [conv_3x3, identity])
    layout = [normal, reduction, normaal]
  }
}
