"""'What am I seeing?' — a plain-language explanation for every panel, written for students.

Each entry is (title, text). The text is simple HTML (paragraphs, bold, lists) so it can
be a tooltip or the body of the help pane. Keys are the panel names the window uses.
Keep them short: a student should read one in under a minute.
"""

from __future__ import annotations

HELP: dict[str, tuple[str, str]] = {
    "controls": (
        "The controls",
        "<p>This is a tiny <b>GPT</b>, the same kind of model as ChatGPT but with a few "
        "thousand numbers instead of billions. It reads names one letter at a time and "
        "learns to guess the <b>next letter</b>.</p>"
        "<p><b>Train</b> (Space) lets it practise; <b>Step</b> (S) does one practice round; "
        "<b>Reset</b> (R) starts again from random numbers. The <b>seed</b> decides those "
        "random numbers: same seed, same start.</p>"
        "<p>The <b>learning rate</b> is how big each correction is. Some settings change "
        "the model's shape or its data: they only apply after Reset.</p>",
    ),
    "curves": (
        "The curves",
        "<p>The x axis is the <b>step</b>: one practice round on one name.</p>"
        "<p><b>Loss</b> (top) is how surprised the model was by the real next letters. "
        "About 3.3 means it is guessing blindly among 27 characters; lower is better. "
        "The faint line jumps around because some names are harder than others; the "
        "bold line is its smoothed average. The red dots are the <b>validation loss</b>: "
        "the same measure on names the model never practises on. If the red dots go up "
        "while the blue line goes down, it is memorising instead of learning. Twenty "
        "names are few: <b>M</b> measures both losses on thousands of names at once.</p>"
        "<p>Two dashed lines give the loss a scale: <b>guessing</b> (every letter equally "
        "likely: where training starts) and <b>letter pairs</b> (a table of which letter "
        "follows which, counted in the training names). Below letter pairs, the "
        "model has learned more than the previous letter; 500 steps get close, a longer "
        "run gets below.</p>"
        "<p><b>Gradient norm</b> (middle) is how hard the model wants to change its "
        "numbers. Above the dashed line it is <i>clipped</i>: the step is scaled down so "
        "one strange name cannot throw it off course.</p>"
        "<p><b>Learning rate</b> (bottom) is the size of each correction; it shrinks over "
        "time so the model can settle. It is the one curve known in advance: the dashed "
        "part is the plan for the steps still to come. Orange vertical lines mark a "
        "setting you changed while it was training.</p>",
    ),
    "attention": (
        "Attention",
        "<p>Before guessing the next letter, the model looks back at the letters it has "
        "read so far. Each square grid is one <b>head</b>: one way of looking back.</p>"
        "<p>Each <b>row</b> is the letter being read now; each <b>column</b> a letter it can "
        "look at (only earlier ones: it cannot peek ahead, so the top-right is empty). "
        "Bright = looks there a lot. Every row adds up to 100&nbsp;%.</p>"
        "<p>The label under a head says what it mostly does on names kept aside for "
        "checking (on training names if none are kept aside): look at the <b>start "
        "token</b> (·), at the <b>previous letter</b>, at "
        "<b>itself</b>, or <b>spread out</b> over everything.</p>",
    ),
    "sampling": (
        "Generating names",
        "<p>To invent a name, the model starts from the start token, guesses a "
        "probability for every possible next letter, picks one at random using those "
        "probabilities, and repeats until it picks \"end\".</p>"
        "<p>The bars show those probabilities for the next letter after the prefix. "
        "<b>Temperature</b> below 1 makes it bolder about its favourites, above 1 more "
        "adventurous. <b>Top-k</b> only allows the k most likely letters (the grey bars "
        "are cut).</p>"
        "<p>Names marked <b>new</b> are not in the training data: the model made them "
        "up.</p>",
    ),
    "name_stats": (
        "How good are the names?",
        "<p>For each batch of generated names: how many are <b>new</b> (invented), how "
        "many are exact <b>copies</b> of training names, how many are <b>different</b> from "
        "each other, and their average length compared with real names.</p>"
        "<p>Early on the names are random letters with the wrong length. A healthy model "
        "makes mostly new names of a realistic length. Mostly copies means it is "
        "memorising (overfitting).</p>",
    ),
    "surprise": (
        "Which letters are hard?",
        "<p>Each letter of the word is coloured by how <b>surprised</b> the model was "
        "to see it: green = it expected this letter, orange-red = it did not see it coming. "
        "The last box is the end of the name.</p>"
        "<p>Hover a letter to see what the model guessed instead. The first letter is "
        "almost always hard (any name can start with almost anything); letters in the "
        "middle of common patterns get easy.</p>"
        "<p>The average of all the boxes is exactly the loss of this word.</p>",
    ),
    "explorer": (
        "Optimizations",
        "<p>The model you watch is Karpathy's small GPT plus <b>14 changes</b> that make it "
        "train better or faster. Each checkbox is one of them.</p>"
        "<p>Untick some and press <b>Reset</b>: the model starts again from the same "
        "random numbers and reads the same names, so any difference in the curves comes "
        "from the changes you switched off. (Weight tying is the exception: switched off, "
        "it adds a table of random numbers, which shifts the ones drawn after it.)</p>",
    ),
    "runs": (
        "Runs",
        "<p>Every run you replace with Reset is kept in this list. Tick a run to draw its "
        "loss behind the current one, in its own colour.</p>"
        "<p>The previous run is ticked (and faded) already, so after changing one thing "
        "and pressing Reset you see <i>with</i> against <i>without</i> at a glance.</p>",
    ),
    "embeddings": (
        "Embeddings",
        "<p>The model stores a short list of numbers for every letter: its "
        "<b>embedding</b>. This map squashes those lists to two dimensions, so letters "
        "the model treats alike end up close together.</p>"
        "<p>Vowels are red, consonants blue, the start/end token orange (anything else, "
        "such as a hyphen, grey). Watch the vowels "
        "drift into a group of their own as it learns: nobody told it what a vowel is.</p>",
    ),
    "weights": (
        "Weights",
        "<p>Everything the model knows is stored in a few tables of numbers, its "
        "<b>weights</b>. Pick one under <b>Show</b> to see it: each square is one number, "
        "blue below zero, red above, white zero. The token embedding has a column for "
        "every letter (a row instead in a wide model, with more numbers per letter than "
        "there are letters).</p>"
        "<p><b>Step sizes</b> shows how much each training step changes each table, "
        "compared with the size of its numbers, on a log scale: -1 means by a tenth, -2 "
        "by a hundredth. The steps start big and shrink as the learning rate falls. Big "
        "networks are often trained at about -3 (the dashed line); this tiny one learns "
        "in a few hundred steps, so its steps are bigger. A table whose line lies far "
        "below the others is hardly learning.</p>",
    ),
    "timelapse": (
        "Time-lapse",
        "<p>Every few steps the app keeps a small picture of the model: where it looks in "
        "a word, its letter map, and five names made with the same dice each time.</p>"
        "<p>Drag the slider to replay training and see how the names and the pictures "
        "changed while it learned.</p>",
    ),
    "projector": (
        "Projector mode",
        "<p>F11 switches to a full-screen view with big letters and thick lines for a "
        "classroom; F11 again switches back. <b>Ctrl++</b> and <b>Ctrl+-</b> make the "
        "text bigger or smaller for the room (Ctrl+0: the usual size).</p>"
        "<p>The controls are put away there; <b>D</b> (or <b>Data</b> in the toolbar) "
        "opens the data menu: the bundled names, makemore's names or a text file.</p>",
    ),
    "lesson_notes": (
        "Lesson notes",
        "<p>A <b>lesson</b> is a demo your teacher prepared: the data, the model and its "
        "settings, saved in a file. Its <b>notes</b> say what to watch and what to ask "
        "about. <b>N</b> shows or hides them; they change when another lesson is "
        "opened.</p>",
    ),
}


def title(panel: str) -> str:
    return HELP[panel][0]


def text(panel: str) -> str:
    return HELP[panel][1]


def tooltip(panel: str) -> str:
    """The help text as a tooltip: a bold title over the explanation."""
    head, body = HELP[panel]
    return f"<b>What am I seeing? {head}</b>{body}"


def all_html() -> str:
    """Every panel's explanation in one page, for the help pane / Help menu."""
    return "".join(f'<a name="{key}"></a><h3>{head}</h3>{body}'
                   for key, (head, body) in HELP.items())
