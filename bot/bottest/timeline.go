package bottest

import (
	"fmt"
	"strings"

	"github.com/storybot/storybot/qa"
)

// LongTimeline returns a timeline of 20 events from src, each opening with
// markup (text a platform must escape) and then repeat sentences, the
// fourth of them grown past longest characters: too long for one message.
func LongTimeline(markup string, repeat, longest int, src qa.Source) []qa.Event {
	var events []qa.Event
	for i := range 20 {
		text := fmt.Sprintf("Event %d: %s %s", i, markup, strings.Repeat("The talks went on into the night. ", repeat))
		if i == 3 {
			for j := 0; len(text) < longest; j++ {
				text += fmt.Sprintf("Sentence %d of a very long event goes on. ", j)
			}
		}
		events = append(events, qa.Event{Date: fmt.Sprintf("2025-01-%02d", i+1), Text: strings.TrimSpace(text), Source: src})
	}
	return events
}

// StoryEvents returns a timeline of two dated events, from a and from b.
func StoryEvents(a, b qa.Source) []qa.Event {
	return []qa.Event{
		{Date: "2024-12-08", Written: "on Dec. 8", Text: "Assad was deposed by a rebel offensive on Dec. 8.", Source: a},
		{Date: "2025-02-12", Written: "on Wednesday", Text: "Putin and al-Sharaa spoke by phone on Wednesday.", Source: b},
	}
}

// StoryPeople returns a who's who of two people, both from src.
func StoryPeople(src qa.Source) []qa.Person {
	return []qa.Person{
		{Name: "Ahmed al-Sharaa", Role: "Syria's interim president", Mentions: 5, Source: src},
		{Name: "Dmitry Peskov", Role: "Kremlin spokesman", Mentions: 3, Source: src},
	}
}

// InOrder reports whether every one of subs is in s, each after the one
// before.
func InOrder(s string, subs ...string) bool {
	for _, sub := range subs {
		i := strings.Index(s, sub)
		if i < 0 {
			return false
		}
		s = s[i+len(sub):]
	}
	return true
}
