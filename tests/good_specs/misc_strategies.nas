experiment "iris-local" {
  data { source = file("iris.npz"); stratify = true }
  objective { maximize val.f1 }
  space layers { dense(units = choice(4, 8)) }
  budget { time = 1 min }
  strategy local { neighbors = 4; restart = 10 }
}
