"""What a learner reads beside a score: the insight of a submission, its standing, and two submissions compared."""
