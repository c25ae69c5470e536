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
