package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Explain says in words how a message's response-time figure comes about, e.g.
// "answered 2h 10m later by maria's reply at 10:42; 40m in business hours: Fri 17:00 close
// to Mon 09:00 skipped; target 1h, met".
func (s *Service) Explain(ctx context.Context, msgID int64) (string, error) {
	m, err := s.db.Message(ctx, msgID)
	if err != nil {
		return "", err
	}
	if m.Direction != "in" {
		return "a reply from the brand; response times are measured on inbound messages", nil
	}
	if m.Spam {
		return "spam; left out of response times", nil
	}
	return s.explain(fromMS(m.CreatedAt), fromMS(m.AnsweredAt), m.AnsweredAgent, fromMS(m.ClosedAt), m.Channel, Priority(m.Priority)), nil
}

// explain is Explain's arithmetic, apart from the database so it can be tested on its own.
func (s *Service) explain(arrived, answered time.Time, agent string, closed time.Time, channel string, p Priority) string {
	loc := s.location()
	target := s.sla.target(channel, p)
	var parts []string
	switch {
	case !answered.IsZero():
		frt := answered.Sub(arrived)
		who := replyBy(agent)
		parts = append(parts, fmt.Sprintf("answered %s later by %s at %s", FormatDuration(frt), who, clock(answered.In(loc), arrived.In(loc))))
		measured := frt
		if s.hours != nil {
			biz := s.hours.Between(arrived, answered)
			part := fmt.Sprintf("%s in business hours", FormatDuration(biz))
			if gaps := s.hours.Closed(arrived, answered); len(gaps) > 0 {
				var skipped []string
				for _, g := range gaps {
					skipped = append(skipped, fmt.Sprintf("%s to %s", g.From.In(loc).Format("Mon 15:04"), g.To.In(loc).Format("Mon 15:04")))
				}
				part += ": " + strings.Join(skipped, ", ") + " skipped"
			}
			parts = append(parts, part)
			if s.cfg.SLA.UseBusinessHours {
				measured = biz
			}
		}
		verdict := "met"
		if measured > target {
			verdict = "missed by " + FormatDuration(measured-target)
		}
		parts = append(parts, fmt.Sprintf("target %s, %s", FormatDuration(target), verdict))
	case !closed.IsZero():
		parts = append(parts, fmt.Sprintf("closed without reply %s after it arrived; left out of response times", FormatDuration(closed.Sub(arrived))))
	default:
		now := s.now()
		due := s.dueAt(channel, p, arrived)
		if now.Before(arrived) { // the sender's clock runs fast
			parts = append(parts, fmt.Sprintf("unanswered, dated %s ahead of this clock", FormatDuration(arrived.Sub(now))))
		} else {
			parts = append(parts, fmt.Sprintf("unanswered for %s", FormatDuration(now.Sub(arrived))))
		}
		if now.After(due) {
			parts = append(parts, fmt.Sprintf("target %s, overdue by %s", FormatDuration(target), FormatDuration(now.Sub(due))))
		} else {
			parts = append(parts, fmt.Sprintf("target %s, due in %s", FormatDuration(target), FormatDuration(due.Sub(now))))
		}
	}
	return strings.Join(parts, "; ")
}

// clock prints a time of day, with the day when it is not the same day as ref.
func clock(t, ref time.Time) string {
	if t.YearDay() == ref.YearDay() && t.Year() == ref.Year() {
		return t.Format("15:04")
	}
	if t.Sub(ref) < 6*24*time.Hour {
		return t.Format("Mon 15:04")
	}
	return t.Format("Jan 2 15:04")
}

// replyBy names whose reply answered: "maria's reply", "my reply" for the agent "me",
// "a reply from the native app" for one sent from a channel's own app ("(native app)").
func replyBy(agent string) string {
	switch {
	case agent == "":
		return "a reply"
	case agent == "me":
		return "my reply"
	case strings.HasPrefix(agent, "(") && strings.HasSuffix(agent, ")"):
		return "a reply from the " + strings.Trim(agent, "()")
	}
	return agent + "'s reply"
}
