# SYNTAX TEST "source.nas" "search primitives and operators"
  space layers {
    repeat range(1, 3) {
#          ^^^^^ support.function.primitive.nas
#               ^ punctuation.section.parens.begin.nas
#                 ^ punctuation.separator.comma.nas
      dense(units = choice(32, 64, 128), activation = choice(relu, gelu))
#                   ^^^^^^ support.function.primitive.nas
#                          ^^ constant.numeric.nas
      dropout(rate = uniform(0.0, 0.3))
#                    ^^^^^^^ support.function.primitive.nas
    }
  }
  train { optimizer = sgd(lr = loguniform(1e-3, 1e-1)) }
#                              ^^^^^^^^^^ support.function.primitive.nas
  data { source = file("x.csv"); range = 3 }
#                                ^^^^^ - support.function.primitive.nas
#                                ^^^^^ variable.other.property.nas
  constraints {
    params <= 20k
#          ^^ keyword.operator.comparison.nas
    accuracy >= 0.9
#            ^^ keyword.operator.comparison.nas
    flops < 1M
#         ^ keyword.operator.comparison.nas
    loss == 0
#        ^^ keyword.operator.comparison.nas
  }
  space cells {
    layout = [normal x 2, reduction, normal x choice(1, 2)]
#          ^ keyword.operator.assignment.nas
#                    ^ keyword.operator.repeat.nas
#                                           ^ keyword.operator.repeat.nas
#                                             ^^^^^^ support.function.primitive.nas
  }
