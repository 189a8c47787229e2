# SYNTAX TEST "source.nas" "ops, strategies, metrics, datasets and functions from the registry"
  space layers {
    dense(units = 64, activation = relu)
#   ^^^^^ entity.name.function.op.nas
#        ^ punctuation.section.parens.begin.nas
#         ^^^^^ variable.parameter.nas
#                     ^^^^^^^^^^ variable.parameter.nas
#                                  ^^^^ entity.name.function.op.nas
#                                      ^ punctuation.section.parens.end.nas
    conv(channels = 8, kernel = 3)
#   ^^^^ entity.name.function.op.nas
    dropout(rate = 0.2)
#   ^^^^^^^ entity.name.function.op.nas
    normal = cell(blocks = 2, ops = [sep_conv_3x3, skip_connect, max_pool_3x3])
#                                    ^^^^^^^^^^^^ entity.name.function.op.nas
#                                                  ^^^^^^^^^^^^ entity.name.function.op.nas
#                                                                ^^^^^^^^^^^^ entity.name.function.op.nas
#                                   ^ punctuation.section.brackets.begin.nas
#                                                                            ^ punctuation.section.brackets.end.nas
    mystery(x = 1)
#   ^^^^^^^ entity.name.function.call.nas
  }
  strategy evolution(population = 20)
#          ^^^^^^^^^ entity.name.type.strategy.nas
#                    ^^^^^^^^^^ variable.parameter.nas
  strategy tpe
#          ^^^ entity.name.type.strategy.nas
  strategy nsga2
#          ^^^^^ entity.name.type.strategy.nas
  objective { maximize test.roc_auc; minimize latency }
#                      ^^^^ variable.other.split.nas
#                           ^^^^^^^ variable.other.metric.nas
#                                  ^ punctuation.terminator.statement.nas
#                                             ^^^^^^^ variable.other.metric.nas
  data { source = sklearn.breast_cancer }
#                 ^^^^^^^^^^^^^^^^^^^^^ support.constant.dataset.nas
  train { optimizer = adamw(lr = 0.001); schedule = cosine }
#                     ^^^^^ entity.name.function.nas
#                           ^^ variable.parameter.nas
#                                        ^^^^^^^^ variable.other.property.nas
#                                                   ^^^^^^ entity.name.function.nas
  baseline "resnet" { model = torchvision.resnet18 }
# ^^^^^^^^ keyword.control.nas
#                             ^^^^^^^^^^^^^^^^^^^^ entity.name.function.nas
