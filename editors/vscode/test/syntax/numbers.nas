# SYNTAX TEST "source.nas" "numbers, numbers with units, money"
  constraints {
    params <= 60k
#             ^^ constant.numeric.nas
#               ^ keyword.other.unit.nas
    model_size <= 256 KB
#                 ^^^ constant.numeric.nas
#                     ^^ keyword.other.unit.nas
    latency <= 2ms
#              ^ constant.numeric.nas
#               ^^ keyword.other.unit.nas
    peak_memory <= 1.5 GiB
#                  ^^^ constant.numeric.nas
#                      ^^^ keyword.other.unit.nas
    accuracy >= 0.95
#               ^^^^ constant.numeric.nas
  }
  data { split = train 70%, val 15%, test 15% }
#                      ^^ constant.numeric.nas
#                        ^ keyword.other.unit.nas
#                                 ^ keyword.other.unit.nas
#                        ^ - constant.numeric.nas
  budget {
    time  = 10 min
#           ^^ constant.numeric.nas
#              ^^^ keyword.other.unit.nas
    money = $20
#           ^^^ constant.numeric.money.nas
    rate  = $2.48/h
#           ^^^^^ constant.numeric.money.nas
#                ^ keyword.operator.arithmetic.nas
#                 ^ keyword.other.unit.nas
  }
  train { optimizer = adam(lr = loguniform(1e-4, 1e-2)); weight_decay = -5e-4 }
#                                          ^^^^ constant.numeric.nas
#                                                ^^^^ constant.numeric.nas
#                                                                       ^^^^^ constant.numeric.nas
  x = 2 apples
#     ^ constant.numeric.nas
#       ^^^^^^ - keyword.other.unit.nas
  y = 3 s
#     ^ constant.numeric.nas
#       ^ keyword.other.unit.nas
