# SYNTAX TEST "source.nas" "strings and comments"
# a number-sign comment with dense and 60k inside
# <- comment.line.number-sign.nas punctuation.definition.comment.nas
#  ^^^^^^^^^^^^^^^^^^^^^ comment.line.number-sign.nas
#                        ^^^^^ - entity.name.function.op.nas
// a double-slash comment
# <-- comment.line.double-slash.nas punctuation.definition.comment.nas
#  ^^^^^^^^^^^^^^^^^^^^^ comment.line.double-slash.nas
  description = "a \"quoted\" word, not dense(units = 3) # nor a comment"
#               ^ string.quoted.double.nas punctuation.definition.string.begin.nas
#                  ^^ string.quoted.double.nas constant.character.escape.nas
#                                     ^^^^^ string.quoted.double.nas
#                                     ^^^^^ - entity.name.function.op.nas
#                                                         ^^^^^^^^^^^^^^ - comment.line.number-sign.nas
#                                                                       ^ punctuation.definition.string.end.nas
  seed = 7  # trailing comment
#           ^^^^^^^^^^^^^^^^^^ comment.line.number-sign.nas
#      ^ - comment.line.number-sign.nas
  name = "unterminated
#        ^^^^^^^^^^^^^ string.quoted.double.nas
  seed = 8  // after an unterminated string the next line is code again
# ^^^^ variable.other.property.nas
#           ^^ comment.line.double-slash.nas
