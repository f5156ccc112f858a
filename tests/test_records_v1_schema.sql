-- Records database as written by schema version 1 (the first release), with data.
-- Frozen: do not edit. test_records_store.py migrates it to the current schema and checks nothing is lost.
PRAGMA user_version = 1;
CREATE TABLE patients (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE COLLATE NOCASE,  -- pseudonymous ID shown everywhere
    name        TEXT,                           -- optional, never exported unless asked
    birth_year  INTEGER CHECK (birth_year IS NULL OR birth_year BETWEEN 1900 AND 2100),
    sex         TEXT CHECK (sex IS NULL OR sex IN ('female', 'male')),
    height_cm   REAL CHECK (height_cm IS NULL OR height_cm BETWEEN 50 AND 250),
    notes       TEXT NOT NULL DEFAULT '',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    patient_id   INTEGER NOT NULL REFERENCES patients(id) ON DELETE CASCADE,
    recorded_at  TEXT NOT NULL,                 -- ISO date(-time) of the test
    created_at   TEXT NOT NULL,
    test         TEXT NOT NULL CHECK (test IN ('stance', 'squat')),
    eyes         TEXT NOT NULL CHECK (eyes IN ('open', 'closed')),
    video_name   TEXT NOT NULL DEFAULT '',
    video_path   TEXT,                          -- where the video was (referenced, not copied)
    video_copy   TEXT,                          -- file name under <data>/videos/ when a copy was asked for
    model        TEXT NOT NULL DEFAULT '',
    software     TEXT NOT NULL DEFAULT '',
    grade        TEXT,
    notes        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_patient ON sessions(patient_id, recorded_at);
CREATE TABLE results (
    session_id      INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
    schema_version  INTEGER NOT NULL,
    assessment      TEXT NOT NULL               -- Assessment.to_json()
);

INSERT INTO patients VALUES (1, 'P-OLD1', 'Ana Example', 1961, 'female', 164.0, 'knee OA, left', '2024-03-01T09:00:00+01:00', '2024-03-01T09:00:00+01:00');
INSERT INTO patients VALUES (2, 'P-OLD2', NULL, NULL, NULL, NULL, '', '2024-03-02T09:00:00+01:00', '2024-03-02T09:00:00+01:00');
INSERT INTO sessions VALUES (1, 1, '2024-03-01', '2024-03-01T09:05:00+01:00', 'stance', 'open', 'week0.mp4', '/clinic/videos/week0.mp4', NULL, 'full', 'Foot First 0.1.0', 'A', 'baseline');
INSERT INTO sessions VALUES (2, 1, '2024-04-12', '2024-04-12T09:05:00+01:00', 'stance', 'open', 'week6.mp4', NULL, NULL, 'full', 'Foot First 0.1.0', 'A', '');
INSERT INTO results VALUES (1, 1, '{"mode": "stance", "source": {"path": "/videos/clip.mp4", "model": "full", "fps": 30.0}, "parameters": {}, "scale": {"method": "body_height", "unit": "cm", "body_height_px": 900.0, "cm_per_px": 0.2, "body_height_cm": 175.0, "note": ""}, "view": {"view": "frontal", "shoulder_ratio": 0.8, "hip_ratio": 0.6, "world_depth_ratio": 0.1, "frontal_plane_reliable": true, "camera_motion": null}, "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "stances": [], "summary": [{"name": "stance_duration", "value": 12.0, "unit": "s", "side": "left", "family": "timing", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "com_sway_ml_velocity", "value": 3.0, "unit": "cm/s", "side": "left", "family": "sway", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "fppa_image_p95", "value": 14.0, "unit": "deg", "side": "left", "family": "knee", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "pelvic_drop_height_p95", "value": 2.0, "unit": "cm", "side": "left", "family": "pelvis", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "stance_duration", "value": 13.0, "unit": "s", "side": "right", "family": "timing", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "com_sway_ml_velocity", "value": 4.0, "unit": "cm/s", "side": "right", "family": "sway", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "fppa_image_p95", "value": 15.0, "unit": "deg", "side": "right", "family": "knee", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "pelvic_drop_height_p95", "value": 3.0, "unit": "cm", "side": "right", "family": "pelvis", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}], "asymmetry": [], "series": {}, "no_stance": null, "schema_version": 1}');
INSERT INTO results VALUES (2, 1, '{"mode": "stance", "source": {"path": "/videos/clip.mp4", "model": "full", "fps": 30.0}, "parameters": {}, "scale": {"method": "body_height", "unit": "cm", "body_height_px": 900.0, "cm_per_px": 0.2, "body_height_cm": 175.0, "note": ""}, "view": {"view": "frontal", "shoulder_ratio": 0.8, "hip_ratio": 0.6, "world_depth_ratio": 0.1, "frontal_plane_reliable": true, "camera_motion": null}, "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "stances": [], "summary": [{"name": "stance_duration", "value": 25.0, "unit": "s", "side": "left", "family": "timing", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "com_sway_ml_velocity", "value": 2.0, "unit": "cm/s", "side": "left", "family": "sway", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "fppa_image_p95", "value": 4.0, "unit": "deg", "side": "left", "family": "knee", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "pelvic_drop_height_p95", "value": 1.0, "unit": "cm", "side": "left", "family": "pelvis", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "stance_duration", "value": 26.0, "unit": "s", "side": "right", "family": "timing", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "com_sway_ml_velocity", "value": 3.0, "unit": "cm/s", "side": "right", "family": "sway", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "fppa_image_p95", "value": 5.0, "unit": "deg", "side": "right", "family": "knee", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}, {"name": "pelvic_drop_height_p95", "value": 2.0, "unit": "cm", "side": "right", "family": "pelvis", "quality": {"grade": "A", "reliable": true, "usable_fraction": 1.0, "reasons": []}, "description": "", "series": null}], "asymmetry": [], "series": {}, "no_stance": null, "schema_version": 1}');
