"""The original's test cases for this model, sync and async, against the local server."""

import catboost
import lightgbm
import numpy as np
from catboost import CatBoostClassifier

from mls_async.models.contrib import ConditionalGenericLogicModel
from tests.contrib.conftest import returning


class TestConditionalGenericLogicModel:
    def test_000_conditional_generic_logic_model0(self, monkeypatch, predict, preprocess):
        monkeypatch.setattr(lightgbm.Booster, "predict", returning(np.array([0.6])))
        monkeypatch.setattr(CatBoostClassifier, "predict_proba", returning(np.array([0.2])))

        cglm = ConditionalGenericLogicModel(
            models=[
                lightgbm.basic.Booster(train_set=lightgbm.Dataset(np.array([[1, 2]]), np.array([1]))),
                catboost.CatBoostClassifier(custom_loss=["Accuracy"], random_seed=42, logging_level="Silent"),
            ],
            model_name="test_model",
            model_version="test_version",
            features=["feature1", "feature2", "feature3", "emb_feature1", "context_feature1", "context_feature2"],
            preprocess_logics=[
                {
                    "merge": [
                        {"var": ["feature1", 0.0]},
                        {"if": [{"==": [{"var": ["feature2", "N"]}, "Y"]}, 1, 0]},
                        {"float": [{"var": ["feature3", "0.0"]}]},
                        {"pick": [{"var": ["emb_feature1", [0.0] * 4]}, [1, 3]]},
                        {
                            "first": [
                                {"pf": ["item", "test_profile", {"var": "additional_keys.0"}, ["test_dimension"]]},
                                1,
                            ]
                        },
                    ]
                },
                {
                    "merge": [
                        {"if": [{"==": [{"var": ["feature2", "N"]}, "Y"]}, 1, 0]},
                        {"float": [{"var": ["feature3", "0.0"]}]},
                        {"pick": [{"var": ["emb_feature1", [0.0] * 4]}, [0, 2]]},
                    ]
                },
            ],
            postprocess_logics=[
                {
                    "if": [
                        {">": [{"var": "y"}, 0.5]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD001",
                                        "name",
                                        "제품1",
                                        "type",
                                        "model0_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {">": [{"var": "y"}, 0.3]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD002",
                                        "name",
                                        "제품2",
                                        "type",
                                        "model0_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {"list": []},
                    ]
                },
                {
                    "if": [
                        {">": [{"var": "y"}, 0.3]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD001",
                                        "name",
                                        "제품1",
                                        "type",
                                        "model1_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {">": [{"var": "y"}, 0.1]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD002",
                                        "name",
                                        "제품2",
                                        "type",
                                        "model1_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {"list": []},
                    ]
                },
            ],
            predict_fns=["predict", "predict_proba"],
            model_selection_logic={"abs": 0},
        )

        assert preprocess(cglm, cglm.model_selection_logic, [2.0, "Y", "4.0", [1, 2, 3, 4], "Y", "Y"], [1]) == 0

        assert preprocess(
            cglm, cglm.preprocess_logics[0], [2.0, "Y", "4.0", [1, 2, 3, 4], "Y", "Y"], [1], model_index=0
        ) == [2.0, 1.0, 4.0, 2.0, 4.0, 300.0]

        assert predict(
            cglm,
            x=[2.0, "Y", "4.0", [1, 2, 3, 4], "Y", "Y"],
            keys=[1],
        ) == {
            "items": [
                {
                    "id": "PROD001",
                    "name": "제품1",
                    "type": "model0_type",
                    "props": {"context_id": "context_feature1", "test_score": 0.6},
                }
            ]
        }

    def test_001_conditional_generic_logic_model1(self, monkeypatch, predict, preprocess):
        monkeypatch.setattr(lightgbm.Booster, "predict", returning(np.array([0.6])))
        monkeypatch.setattr(CatBoostClassifier, "predict_proba", returning(np.array([0.2])))

        cglm = ConditionalGenericLogicModel(
            models=[
                lightgbm.basic.Booster(train_set=lightgbm.Dataset(np.array([[1, 2]]), np.array([1]))),
                catboost.CatBoostClassifier(custom_loss=["Accuracy"], random_seed=42, logging_level="Silent"),
            ],
            model_name="test_model",
            model_version="test_version",
            features=["feature1", "feature2", "feature3", "emb_feature1", "context_feature1", "context_feature2"],
            preprocess_logics=[
                {
                    "merge": [
                        {"var": ["feature1", 0.0]},
                        {"if": [{"==": [{"var": ["feature2", "N"]}, "Y"]}, 1, 0]},
                        {"float": [{"var": ["feature3", "0.0"]}]},
                        {"pick": [{"var": ["emb_feature1", [0.0] * 4]}, [1, 3]]},
                        {
                            "first": [
                                {"pf": ["item", "test_profile", {"var": "additional_keys.0"}, ["test_dimension"]]},
                                1,
                            ]
                        },
                    ]
                },
                {
                    "merge": [
                        {"if": [{"==": [{"var": ["feature2", "N"]}, "Y"]}, 1, 0]},
                        {"float": [{"var": ["feature3", "0.0"]}]},
                        {"pick": [{"var": ["emb_feature1", [0.0] * 4]}, [0, 2]]},
                    ]
                },
            ],
            postprocess_logics=[
                {
                    "if": [
                        {">": [{"var": "y"}, 0.5]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD001",
                                        "name",
                                        "제품1",
                                        "type",
                                        "model0_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {">": [{"var": "y"}, 0.3]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD002",
                                        "name",
                                        "제품2",
                                        "type",
                                        "model0_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {"list": []},
                    ]
                },
                {
                    "if": [
                        {">": [{"var": "y"}, 0.3]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD001",
                                        "name",
                                        "제품1",
                                        "type",
                                        "model1_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {">": [{"var": "y"}, 0.1]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD002",
                                        "name",
                                        "제품2",
                                        "type",
                                        "model1_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {"list": []},
                    ]
                },
            ],
            predict_fns=["predict", "predict_proba"],
            model_selection_logic={"abs": 1},
        )

        assert preprocess(cglm, cglm.model_selection_logic, [2.0, "Y", "4.0", [1, 2, 3, 4], "Y", "Y"], [1]) == 1

        assert preprocess(
            cglm, cglm.preprocess_logics[1], [2.0, "Y", "4.0", [1, 2, 3, 4], "Y", "Y"], [1], model_index=1
        ) == [1.0, 4.0, 1.0, 3.0]

        assert predict(
            cglm,
            x=[2.0, "Y", "4.0", [1, 2, 3, 4], "Y", "Y"],
            keys=[1],
        ) == {
            "items": [
                {
                    "id": "PROD002",
                    "name": "제품2",
                    "type": "model1_type",
                    "props": {"context_id": "context_feature2", "test_score": 0.2},
                }
            ]
        }

    def test_002_conditional_generic_logic_model_none(self, monkeypatch, predict, preprocess):
        monkeypatch.setattr(lightgbm.Booster, "predict", returning(np.array([0.6])))
        monkeypatch.setattr(CatBoostClassifier, "predict_proba", returning(np.array([0.2])))

        cglm = ConditionalGenericLogicModel(
            models=[
                lightgbm.basic.Booster(train_set=lightgbm.Dataset(np.array([[1, 2]]), np.array([1]))),
                catboost.CatBoostClassifier(custom_loss=["Accuracy"], random_seed=42, logging_level="Silent"),
            ],
            model_name="test_model",
            model_version="test_version",
            features=["feature1", "feature2", "feature3", "emb_feature1", "context_feature1", "context_feature2"],
            preprocess_logics=[
                {
                    "merge": [
                        {"var": ["feature1", 0.0]},
                        {"if": [{"==": [{"var": ["feature2", "N"]}, "Y"]}, 1, 0]},
                        {"float": [{"var": ["feature3", "0.0"]}]},
                        {"pick": [{"var": ["emb_feature1", [0.0] * 4]}, [1, 3]]},
                        {
                            "first": [
                                {"pf": ["item", "test_profile", {"var": "additional_keys.0"}, ["test_dimension"]]},
                                1,
                            ]
                        },
                    ]
                },
                {
                    "merge": [
                        {"if": [{"==": [{"var": ["feature2", "N"]}, "Y"]}, 1, 0]},
                        {"float": [{"var": ["feature3", "0.0"]}]},
                        {"pick": [{"var": ["emb_feature1", [0.0] * 4]}, [0, 2]]},
                    ]
                },
            ],
            postprocess_logics=[
                {
                    "if": [
                        {">": [{"var": "y"}, 0.5]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD001",
                                        "name",
                                        "제품1",
                                        "type",
                                        "model0_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {">": [{"var": "y"}, 0.3]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD002",
                                        "name",
                                        "제품2",
                                        "type",
                                        "model0_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {"list": []},
                    ]
                },
                {
                    "if": [
                        {">": [{"var": "y"}, 0.3]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD001",
                                        "name",
                                        "제품1",
                                        "type",
                                        "model1_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {">": [{"var": "y"}, 0.1]},
                        {
                            "list": [
                                {
                                    "dict": [
                                        "id",
                                        "PROD002",
                                        "name",
                                        "제품2",
                                        "type",
                                        "model1_type",
                                        "props",
                                        {
                                            "dict": [
                                                "test_score",
                                                {"var": "y"},
                                                "context_id",
                                                {
                                                    "if": [
                                                        {"==": [{"var": ["context_feature2", "N"]}, "Y"]},
                                                        "context_feature2",
                                                        {"==": [{"var": ["context_feature1", "N"]}, "Y"]},
                                                        "context_feature1",
                                                        "context_default",
                                                    ]
                                                },
                                            ]
                                        },
                                    ]
                                }
                            ]
                        },
                        {"list": []},
                    ]
                },
            ],
            predict_fns=["predict", "predict_proba"],
            model_selection_logic={"list": []},
        )

        assert predict(
            cglm,
            x=[2.0, "Y", "4.0", [1, 2, 3, 4], "Y", "Y"],
            keys=[1],
        ) == {"items": []}
