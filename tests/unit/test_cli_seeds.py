"""`train --seeds`: many seeds as one cohort, each with the numbers it has alone."""

import json

import pytest

from gan_core.cli import main, parse_seeds

FLAGS = ["train", "--target", "ring", "--gan", "infogan", "--steps", "60", "--quiet", "--json"]


def test_seeds_together_print_what_each_prints_alone(capsys):
    assert main(FLAGS + ["--seeds", "3,5-6"]) == 0
    together = json.loads(capsys.readouterr().out)
    assert [r["seed"] for r in together] == [3, 5, 6]
    for row in together:
        assert main(FLAGS + ["--seed", str(row["seed"])]) == 0
        alone = json.loads(capsys.readouterr().out)
        assert isinstance(alone, dict) and "seed" not in alone, "--seed keeps one object"
        speed = {"steps_per_s", "seconds"}
        assert {k: v for k, v in row.items() if k not in speed | {"seed"}} == {
            k: v for k, v in alone.items() if k not in speed
        }
        assert row["loss_info"] == alone["loss_info"] and row["step"] == 60


def test_seed_lists():
    assert parse_seeds("0-3") == [0, 1, 2, 3]
    assert parse_seeds("3, 5,9") == [3, 5, 9]
    for bad, says in (("2-1", "low to high"), ("a", "not a seed"), ("1,1", "twice")):
        with pytest.raises(ValueError, match=says):
            parse_seeds(bad)
    with pytest.raises(ValueError, match="at most"):
        parse_seeds("0-100000")


def test_bad_seeds_flag_exits_2_with_a_message(capsys):
    assert main(FLAGS + ["--seeds", "5-2"]) == 2
    assert "--seeds" in capsys.readouterr().err
    assert main(FLAGS + ["--seeds", "1", "--seed", "2"]) == 2
