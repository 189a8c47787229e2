# SYNTAX TEST "source.nas" "block keywords, keys and statement keywords"
experiment "kw" {
# <---------- keyword.control.nas
#          ^^^^ string.quoted.double.nas
#               ^ punctuation.section.block.begin.nas
  seed = 7
# ^^^^ variable.other.property.nas
#      ^ keyword.operator.assignment.nas
#        ^ constant.numeric.nas
  data { source = sklearn.digits }
# ^^^^ keyword.control.nas
#        ^^^^^^ variable.other.property.nas
#                 ^^^^^^^^^^^^^^ support.constant.dataset.nas
  objective { maximize val.accuracy }
# ^^^^^^^^^ keyword.control.nas
#             ^^^^^^^^ keyword.control.nas
#                      ^^^ variable.other.split.nas
#                         ^ punctuation.accessor.nas
#                          ^^^^^^^^ variable.other.metric.nas
  objective { minimize params }
#             ^^^^^^^^ keyword.control.nas
#                      ^^^^^^ variable.other.metric.nas
  constraints { latency <= 5 ms }
# ^^^^^^^^^^^ keyword.control.nas
  space layers {
# ^^^^^ keyword.control.nas
#       ^^^^^^ - keyword.control.nas
    repeat range(1, 3) {
#   ^^^^^^ keyword.control.nas
      optional batch_norm
#     ^^^^^^^^ keyword.control.nas
    }
  }
  train { epochs = 5 }
# ^^^^^ keyword.control.nas
#         ^^^^^^ variable.other.property.nas
  budget { trials = 20 }
# ^^^^^^ keyword.control.nas
  strategy random
# ^^^^^^^^ keyword.control.nas
  backend = torch
# ^^^^^^^ variable.other.property.nas
#           ^^^^^ support.constant.nas
  stratify = true
#            ^^^^ constant.language.boolean.nas
}
# <- punctuation.section.block.end.nas
