"""The report's building blocks: figures (:mod:`.figures`), score and equation tables
(:mod:`.tables`), the papers' published figures (:mod:`.paper`) and the page (:mod:`.page`). Each
kind of experiment (:mod:`peql.tasks`) assembles its dataset's section from them; the report
stage (:func:`peql.pipeline.build_report`) writes the page."""
