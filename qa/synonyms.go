package qa

import "strings"

// synonymGroups are words that people asking and reporters writing use for
// the same thing. A question's word also matches the others of its group,
// with weight synonymWeight. The list is general news vocabulary, not
// words of any one article.
const synonymGroups = `arms weapons weaponry armaments
go travel fly flee move relocate escape
oust depose topple overthrow unseat ouster
ask request urge demand appeal
talk discuss conversation speak chat dialogue
phone telephone call
help aid assist assistance
leader president ruler head chief
kill murder slay
die death dead
war conflict fighting hostilities
army military troops forces soldiers
begin start launch commence
end finish terminate halt cease
buy purchase acquire
big large huge major
country nation
meet meeting visit
say state statement remark tell
money funds funding cash compensation payment
agree agreement accord deal
sanction restriction penalty embargo
lift ease scrap remove rid
rebel insurgent militant
economy economic
invite invitation
attack strike assault raid offensive bomb bombing airstrike
protect defend defense defence security
ally partner friend
ties relations relationship
nickname alias
spokesman spokeswoman spokesperson
manage run operate
offer provide give
rule reign govern
cost price expense
answer respond reply response
choose elect select
show reveal indicate
fight battle combat
navy naval
uk britain british
spy spies intelligence espionage
anger angry mad upset furious
interfere interference meddle meddling
improve improvement better
stance position attitude view
continue keep maintain
examine review study investigate
reconsider revisit rethink redo
fast quick rapid lightning swift
hurt harm damage suffer suffering`

// synonyms maps a term to the other terms of its groups.
var synonyms = func() map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(synonymGroups, "\n") {
		var terms []string
		for _, w := range strings.Fields(line) {
			terms = append(terms, stem(w))
		}
		for _, t := range terms {
			for _, o := range terms {
				if o != t {
					m[t] = append(m[t], o)
				}
			}
		}
	}
	return m
}()
