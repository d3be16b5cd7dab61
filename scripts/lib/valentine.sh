# The `valentine` schema matchers, for scripts/bench.sh's side-by-side evaluation of the
# relation matcher. Sourced by scripts/setup.sh --bench after common.sh.

VALENTINE_VENV="${VALENTINE_VENV:-$HOME/.cache/medtrust/valentine-venv}"
# NLTK reads its data from here (valentine's Cupid and COMA); exported for the evaluation.
export NLTK_DATA="${NLTK_DATA:-$HOME/.cache/medtrust/nltk_data}"

# The first Python 3.12 or later on PATH or under pyenv (valentine 1.1.0 needs it).
python_for_valentine() {
	local c
	for c in python3.13 python3.12 "$HOME"/.pyenv/versions/3.1[23]*/bin/python; do
		if "$c" -c 'import sys; assert sys.version_info >= (3, 12)' 2>/dev/null; then
			echo "$c"
			return
		fi
	done
	return 1
}

# Installs valentine into its venv and builds the NLTK data from Debian's packages: WordNet
# (as NLTK's `wordnet` corpus with its `lexnames` index), English stop words, and an empty
# punkt sentence model (valentine only tokenises words).
setup_valentine() {
	local requirements="$MEDTRUST_CLONE/scripts/requirements-bench.txt" py
	if [ -x "$VALENTINE_VENV/bin/python" ] && cmp -s "$requirements" "$VALENTINE_VENV/requirements.txt"; then
		log "valentine: present ($VALENTINE_VENV)"
	else
		py="$(python_for_valentine)" || die "valentine 1.1.0 needs Python 3.12 or later"
		log "valentine: installing into $VALENTINE_VENV (with $py)"
		"$py" -m venv "$VALENTINE_VENV"
		"$VALENTINE_VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
		cp "$requirements" "$VALENTINE_VENV/requirements.txt"
	fi
	if [ -s "$NLTK_DATA/corpora/wordnet/lexnames" ]; then
		log "NLTK data: present ($NLTK_DATA)"
		return
	fi
	log "NLTK data: building $NLTK_DATA from Debian's WordNet and stop words"
	local punkt="$NLTK_DATA/tokenizers/punkt_tab/english" f
	mkdir -p "$NLTK_DATA/corpora/wordnet" "$NLTK_DATA/corpora/stopwords" "$NLTK_DATA/corpora/omw-1.4" "$punkt"
	cp /usr/share/wordnet/* "$NLTK_DATA/corpora/wordnet/"
	# lexnames: number, name, and syntactic category (1 noun, 2 verb, 3 adjective, 4 adverb).
	zcat /usr/share/man/man5/lexnames.5WN.gz | grep -E '^[0-9]{2}\s' | awk '{
		kind = substr($2, 1, index($2, ".") - 1)
		printf "%s\t%s\t%d\n", $1, $2, (kind == "noun") ? 1 : (kind == "verb") ? 2 : (kind == "adj") ? 3 : 4
	}' >"$NLTK_DATA/corpora/wordnet/lexnames"
	perl -MLingua::StopWords=getStopWords \
		-e 'print "$_\n" for sort keys %{getStopWords("en", "UTF-8")}' >"$NLTK_DATA/corpora/stopwords/english"
	for f in collocations.tab sent_starters.txt abbrev_types.txt ortho_context.tab; do
		: >"$punkt/$f"
	done
}
