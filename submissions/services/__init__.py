"""Writes of submissions, one topic a module (as Zulip's zerver/actions/): import from the topic's module.

- submit.py: the one "may this learner submit now?" rule, and creating a submission
- scoring.py: enqueueing, claiming, scoring and storing the outcome, leases, rescoring
- final_selection.py: the learner's choice of submissions for the private leaderboard
- moderation.py: a host's disqualifications
- recovery.py: the sweeper, for submissions whose task was lost
- leaderboard_jobs.py: recomputing boards from stored scores (rebuild, rolling windows)
- teams.py: teams: create, invite, join, leave, remove a member, hand over leadership, merge
- locks.py: the team's row locks (for an upload, a submission, a team change), and the order locks are taken in

Each refuses with submissions.errors.SubmissionRefused (teams.py: TeamRefused), which carries no HTTP status.
"""
