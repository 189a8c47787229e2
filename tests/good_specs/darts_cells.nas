# DARTS on a NASNet-style cell space, with median imputation defaults and hyperband.
experiment "digits-darts" {
  data {
    source = sklearn.digits

    preprocess {
      numeric = none
      impute  = median
    }
  }

  objective {
    maximize val.accuracy
  }

  space cells {
    stem      = conv(channels = 8)
    normal    = cell(blocks = 2, ops = [sep_conv_3x3, conv_5x5, conv_7x1_1x7, zero, identity])
    reduction = cell(blocks = 2, ops = [max_pool_3x3, conv_3x3])
    layout    = [normal, reduction, normal]
    head      = [global_max_pool, dense]
  }

  budget {
    trials = 2
  }

  strategy darts {
    supernet_epochs = 4
    arch_lr         = 0.0003
    max_skips       = 2
    first_order     = true
    early_stop      = hyperband(min_epochs = 1, eta = 3, max_epochs = 9)
  }
}
