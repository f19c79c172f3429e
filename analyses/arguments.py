"""The arguments of the original texts that analyses can test.

An analysis's ``Spec.tests`` names ids from here; each id points at the page of
the site that presents the argument (``docs/arguments/<page>.md``).
"""

ARGUMENTS = {
    # Beren Millidge, "The surprising parameter-efficiency of vision models" (2023)
    "essay.question": ("essay", "Vision and audio models match people with far fewer parameters than LLMs"),
    "essay.exposure": ("essay", "Image models see about as many images as a person; LLMs far more text"),
    "essay.brain": ("essay", "The visual cortex has ~100B parameters, two orders of magnitude above models"),
    "essay.h1_unfair_comparison": ("essay", "H1: the cortex does much more (video, saccades, scene parsing)"),
    "essay.h2_weight_sharing": ("essay", "H2: convolution-like weight sharing the brain cannot do"),
    "essay.h3_iterative_inference": ("essay", "H3: diffusion spends compute over many steps, not parameters"),
    "essay.h4_breadth": ("essay", "H4: LLMs are superhuman in breadth of knowledge"),
    "essay.h5_inefficient_llms": ("essay", "H5: LLMs are inefficient and could be 1-2 orders smaller"),
    # Beren Millidge, "Addendum ..." (2024)
    "addendum.undertrained": ("addendum", "Small LLMs trained far past Chinchilla-optimal now beat the giants"),
    "addendum.remaining_gap": ("addendum", "About one order of magnitude of gap to vision and audio remains"),
    # Reader's reply on LessWrong
    "lesswrong_reply.tiered_training": ("lesswrong-reply", "Train a minimal LLM first; most parameters store trivia"),
    # Reader's comment (discussion thread)
    "comment.dense_compute_waste": ("compute-comment", "Dense transformers spend all weights and context on every token"),
    "comment.redundant_layers": ("compute-comment", "Middle layers do the work; sharing and low precision cost little"),
    "comment.learning_capacity": ("compute-comment", "Parameters exist to make learning easy (lottery tickets)"),
    "comment.typical_set": ("compute-comment", "The mode of a high-dimensional distribution is atypical"),
    # untoreh, "Why LLMs for text are so big?"
    "untoreh.memory": ("untoreh", "Memory: a 6B LLM needs ~12 GB, Stable Diffusion 3-5 GB"),
    "untoreh.lenient_judging": ("untoreh", "Images are judged leniently, so image models can be smaller"),
}
