package failback.readiness

deny := set()

scorecard(_) := []
